// A page with the span timeline panel (100 k spans; and a game frame whose spans all fit in one
// millisecond, delivered as Grafana delivers frames: ms + nanos) and the datasource query editor,
// rendered with Grafana's own UI library and theme, for the headless-Chromium test. Monaco is
// bundled (Grafana serves it itself; here there is no network). `window.renderBench` times the
// panel's renderer on 100 k spans beside drawing every span.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { LoadingState, ThemeContext, createTheme, getDefaultTimeRange, type DataFrame, type PanelProps } from '@grafana/data';
import { GlobalStyles } from '@grafana/ui';
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution';
import { QueryEditor } from '../../datasource/src/components/QueryEditor';
import type { DataSource } from '../../datasource/src/datasource';
import { SpanTimelinePanel } from '../../panel/src/components/SpanTimelinePanel';
import { layoutTimeline, toX } from '../../panel/src/timeline/layout';
import { buildTimeline } from '../../panel/src/timeline/model';
import { colorOf, renderTimeline, type Palette } from '../../panel/src/timeline/render';
import { jsonSpanFrame, manySpans, spanFrame } from '../../panel/src/timeline/testing';
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

/** A demo game frame: 800 µs, its children down to 170 µs, all in one millisecond. */
const MS = 1_700_000_000_123n * 1_000_000n;
const us = (n: number) => MS + BigInt(n) * 1000n;
const PRECISION_SPANS = [
  { begin: us(100), end: us(900), depth: 1, name: 'frame' },
  { begin: us(110), end: us(510), depth: 2, name: 'update' },
  { begin: us(120), end: us(320), depth: 3, name: 'physics' },
  { begin: us(330), end: us(500), depth: 3, name: 'ai' },
  { begin: us(520), end: us(890), depth: 2, name: 'render' },
];

const timeRanges: unknown[] = [];
(window as unknown as { timeRanges: unknown[] }).timeRanges = timeRanges;

function panelProps(series: DataFrame[], width: number, height: number) {
  return {
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    width,
    height,
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, laneField: 'thread' } as SpanTimelineOptions,
    onChangeTimeRange: (range: unknown) => timeRanges.push(range),
  } as unknown as PanelProps<SpanTimelineOptions>;
}

/** The alternative to the panel's level of detail: every visible span its own rectangle, at least a pixel wide. */
function drawEverySpan(
  ctx: CanvasRenderingContext2D,
  timeline: ReturnType<typeof buildTimeline>,
  v: { from: number; to: number; width: number },
  palette: Palette,
) {
  const layout = layoutTimeline(timeline, 18);
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, v.width, layout.height);
  for (const placement of layout.rows) {
    const row = timeline.lanes[placement.lane]!.rows[placement.row]!;
    for (let i = 0; i < row.begin.length; i++) {
      const x0 = toX(row.begin[i]!, v);
      ctx.fillStyle = colorOf(row.name[i]!, palette);
      ctx.fillRect(x0, placement.y, Math.max(1, toX(row.end[i]!, v) - x0), 17);
    }
  }
}

/** Median ms of `runs` renders of 100 k spans, whole range over 1100 px, by the panel and by drawing every span. */
(window as unknown as { renderBench: (runs: number) => unknown }).renderBench = (runs: number) => {
  const timeline = buildTimeline([manySpans(100_000, T0)], 'thread');
  const layout = layoutTimeline(timeline, 18);
  const v = { from: timeline.begin, to: timeline.end, width: 1100 };
  const canvas = document.createElement('canvas');
  canvas.width = 1100;
  canvas.height = layout.height;
  const ctx = canvas.getContext('2d')!;
  const palette: Palette = {
    background: '#111',
    text: '#eee',
    laneHeader: '#222',
    dust: ['#444', '#666', '#888', '#aaa'],
    spans: ['#a33', '#3a3', '#33a'],
  };
  const median = (draw: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      draw();
      ctx.getImageData(0, 0, 1, 1); // wait for the GPU/raster work the calls queued
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  };
  let rects = 0;
  const ours = median(() => (rects = renderTimeline(ctx, timeline, layout, v, palette).rects));
  const every = median(() => drawEverySpan(ctx, timeline, v, palette));
  return { spans: timeline.spanCount, oursMs: ours, oursRects: rects, everySpanMs: every, everySpanRects: timeline.spanCount };
};

function Harness() {
  const [query, setQuery] = React.useState({
    refId: 'A',
    rawSql:
      'SELECT begin, "end", depth, name, target\nFROM view_instance(\'thread_spans\', $stream)\nWHERE $__timeFilter(begin)\nORDER BY begin',
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
          <SpanTimelinePanel {...panelProps(frames, 1100, 260)} />
        </section>
        <section data-testid="precision-section" style={{ border: `1px solid ${theme.colors.border.weak}`, padding: 8 }}>
          <h4>One game frame, within a millisecond</h4>
          <SpanTimelinePanel {...panelProps([jsonSpanFrame('main', PRECISION_SPANS)], 800, 110)} />
        </section>
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Harness />);
