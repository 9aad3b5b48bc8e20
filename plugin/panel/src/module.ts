import { PanelPlugin } from '@grafana/data';
import { SpanTimelinePanel } from './components/SpanTimelinePanel';
import { DEFAULT_OPTIONS, type SpanTimelineOptions } from './types';

export const plugin = new PanelPlugin<SpanTimelineOptions>(SpanTimelinePanel).setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'laneField',
      name: 'Lane column',
      description: 'Column naming the thread of each span; without it each query is one lane',
      defaultValue: DEFAULT_OPTIONS.laneField,
    })
    .addNumberInput({
      path: 'rowHeight',
      name: 'Row height',
      description: 'Pixels per depth row',
      defaultValue: DEFAULT_OPTIONS.rowHeight,
      settings: { min: 8, max: 40, integer: true },
    }),
);
