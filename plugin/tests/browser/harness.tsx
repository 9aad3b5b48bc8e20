// A page with the span timeline panel (100 k spans) and the datasource query editor, rendered with
// Grafana's own UI library and theme, for the headless-Chromium test. Monaco is bundled (Grafana
// serves it itself; here there is no network).
import React from 'react';
import { createRoot } from 'react-dom/client';
import { LoadingState, ThemeContext, createTheme, getDefaultTimeRange, type PanelProps } from '@grafana/data';
import { GlobalStyles } from '@grafana/ui';
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution';
import { QueryEditor } from '../../datasource/src/components/QueryEditor';
import type { DataSource } from '../../datasource/src/datasource';
import { SpanTimelinePanel } from '../../panel/src/components/SpanTimelinePanel';
import { manySpans, spanFrame } from '../../panel/src/timeline/testing';
import { DEFAULT_OPTIONS, type SpanTimelineOptions } from '../../panel/src/types';

loader.config({ monaco });

const T0 = 1_700_000_000_000;
const theme = createTheme({ colors: { mode: 'dark' } });

const frames = [
  spanFrame('main', [
    // thread_spans depths: top-level spans at 1.
    { begin: T0, end: T0 + 16, depth: 1, name: 'frame', target: 'game::loop' },
    { begin: T0 + 1, end: T0 + 7, depth: 2, name: 'update', target: 'game::loop' },
    { begin: T0 + 2, end: T0 + 5, depth: 3, name: 'physics', target: 'game::physics' },
    { begin: T0 + 8, end: T0 + 15, depth: 2, name: 'render', target: 'game::gfx' },
    { begin: T0 + 16.5, end: T0 + 33, depth: 1, name: 'frame', target: 'game::loop' },
    { begin: T0 + 17, end: T0 + 25, depth: 2, name: 'update', target: 'game::loop' },
    { begin: T0 + 26, end: T0 + 32, depth: 2, name: 'render', target: 'game::gfx' },
  ]),
  { ...manySpans(100_000, T0), name: 'worker (100 k spans)' },
];

const timeRanges: unknown[] = [];
(window as unknown as { timeRanges: unknown[] }).timeRanges = timeRanges;

const panelProps = {
  data: { series: frames, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
  width: 1100,
  height: 260,
  options: { ...DEFAULT_OPTIONS, laneField: 'thread' } as SpanTimelineOptions,
  onChangeTimeRange: (range: unknown) => timeRanges.push(range),
} as unknown as PanelProps<SpanTimelineOptions>;

function Harness() {
  const [query, setQuery] = React.useState({
    refId: 'A',
    rawSql:
      "SELECT begin, \"end\", depth, name, target\nFROM view_instance('thread_spans', '$stream')\nWHERE $__timeFilter(begin)\nORDER BY begin",
    format: 'traces' as const,
    timeFilter: true,
    autoLimit: true,
  });
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 16, width: 1132 }}>
        <section data-testid="editor-section" style={{ border: `1px solid ${theme.colors.border.weak}`, padding: 8 }}>
          <h4>Micromegas query editor</h4>
          <QueryEditor
            query={query}
            onChange={(q) => setQuery(q as typeof query)}
            onRunQuery={() => undefined}
            datasource={{ timeFilterDefault: true } as DataSource}
          />
        </section>
        <section data-testid="panel-section" style={{ border: `1px solid ${theme.colors.border.weak}`, padding: 8 }}>
          <h4>Span timeline</h4>
          <SpanTimelinePanel {...panelProps} />
        </section>
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Harness />);
