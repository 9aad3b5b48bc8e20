// Result shaping per query format.
import type { Table } from 'apache-arrow';
import type { Format } from '../../../src/types.js';
import type { Frame } from '../frame.js';
import { flameGraphFrame } from './flameGraph.js';
import { logsFrame } from './logs.js';
import { tableFrame } from './table.js';
import { timeSeriesFrames } from './timeSeries.js';
import { tracesFrame } from './traces.js';

export function framesFor(format: Format, table: Table, refId: string, sql: string): Frame[] {
  const frame = tableFrame(table, refId, sql);
  switch (format) {
    case 'table':
      return [frame];
    case 'time_series':
      return timeSeriesFrames(frame);
    case 'logs':
      return [logsFrame(frame)];
    case 'traces':
      return [tracesFrame(frame)];
    case 'flame_graph':
      return [flameGraphFrame(frame)];
  }
}
