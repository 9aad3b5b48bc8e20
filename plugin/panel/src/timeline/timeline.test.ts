import { FieldType, toDataFrame } from '@grafana/data';
import { spanAt } from './hitTest';
import { layoutTimeline, LANE_HEADER, pan, toX, zoom } from './layout';
import { buildTimeline, firstVisible, SpanFrameError, TOP_LEVEL_DEPTH } from './model';
import { renderTimeline, type Canvas2D } from './render';
import { formatDuration } from './format';
import { manySpans, spanFrame } from './testing';

const T0 = 1_700_000_000_000;

function recordingContext() {
  const calls = { fillRect: 0, fillText: [] as string[] };
  const ctx: Canvas2D = {
    fillStyle: '',
    font: '',
    textBaseline: 'alphabetic',
    fillRect: () => void calls.fillRect++,
    fillText: (text: string) => void calls.fillText.push(text),
    clearRect: () => undefined,
    save: () => undefined,
    restore: () => undefined,
    beginPath: () => undefined,
    rect: () => undefined,
    clip: () => undefined,
    measureText: () => ({ width: 10 }) as TextMetrics,
  };
  return { ctx, calls };
}

const palette = { background: '#000', text: '#fff', laneHeader: '#111', dust: '#777', spans: ['#a00', '#0a0', '#00a'] };

describe('timeline model', () => {
  // thread_spans depths: top-level spans at 1 (the thread, depth 0, has no row).
  const frame = spanFrame('main', [
    { begin: T0 + 10, end: T0 + 20, depth: 2, name: 'update', target: 'engine' },
    { begin: T0, end: T0 + 100, depth: 1, name: 'frame', target: 'engine' },
    { begin: T0 + 30, end: T0 + 60, depth: 2, name: 'render', target: 'gfx' },
  ]);

  test('groups spans into lanes and depth rows sorted by begin, top-level spans (depth 1) in the first row', () => {
    const t = buildTimeline([frame], 'thread');
    expect(t.lanes.map((l) => l.name)).toEqual(['main']);
    expect(t.firstDepth).toBe(TOP_LEVEL_DEPTH);
    expect(t.lanes[0]!.rows.map((r) => Array.from(r.begin))).toEqual([[T0], [T0 + 10, T0 + 30]]);
    expect(t.lanes[0]!.rows[1]!.longest).toBe(30);
    expect([t.begin, t.end, t.spanCount]).toEqual([T0, T0 + 100, 3]);
  });

  test('a window without top-level spans keeps them a row: deeper spans stay in their own rows', () => {
    const t = buildTimeline([spanFrame('main', [{ begin: T0, end: T0 + 5, depth: 3, name: 'physics' }])], 'thread');
    expect(t.firstDepth).toBe(1);
    expect(t.lanes[0]!.rows.map((r) => r.begin.length)).toEqual([0, 0, 1]);
  });

  test('depth-0 spans (async_events roots) start the rows at 0, in every lane alike', () => {
    const t = buildTimeline(
      [
        spanFrame('threads', [{ begin: T0, end: T0 + 9, depth: 1, name: 'frame', thread: 'main' }]),
        spanFrame('async', [
          { begin: T0, end: T0 + 9, depth: 0, name: 'load', thread: 'async' },
          { begin: T0 + 1, end: T0 + 8, depth: 1, name: 'fetch', thread: 'async' },
        ]),
      ],
      'thread',
    );
    expect(t.firstDepth).toBe(0);
    expect(t.lanes.map((l) => [l.name, l.rows.map((r) => r.begin.length)])).toEqual([
      ['main', [0, 1]],
      ['async', [1, 1]],
    ]);
  });

  test('spans without a depth column are top-level', () => {
    const f = toDataFrame({
      name: 'x',
      fields: [
        { name: 'begin', type: FieldType.time, values: [T0, T0 + 1] },
        { name: 'end', type: FieldType.time, values: [T0 + 1, T0 + 2] },
      ],
    });
    const t = buildTimeline([f], 'thread');
    expect([t.firstDepth, t.lanes[0]!.rows.length, t.lanes[0]!.rows[0]!.begin.length]).toEqual([1, 1, 2]);
  });

  test('a lane column splits one frame into threads', () => {
    const t = buildTimeline(
      [
        spanFrame('q', [
          { begin: T0, end: T0 + 1, depth: 1, name: 'a', thread: 'main' },
          { begin: T0, end: T0 + 1, depth: 1, name: 'b', thread: 'io' },
        ]),
      ],
      'thread',
    );
    expect(t.lanes.map((l) => l.name)).toEqual(['main', 'io']);
  });

  test('duration in ns stands in for end', () => {
    const f = toDataFrame({
      name: 'x',
      fields: [
        { name: 'begin', type: FieldType.time, values: [T0] },
        { name: 'duration', type: FieldType.number, values: [2_500_000] },
      ],
    });
    expect(Array.from(buildTimeline([f], 'thread').lanes[0]!.rows[0]!.end)).toEqual([T0 + 2.5]);
  });

  test('frames without span columns are refused with the reason', () => {
    const f = toDataFrame({ name: 'logs', fields: [{ name: 'msg', type: FieldType.string, values: ['x'] }] });
    expect(() => buildTimeline([f], 'thread')).toThrow(SpanFrameError);
  });

  test('firstVisible skips spans that end before the window, keeping long overlapping ones', () => {
    const row = buildTimeline([frame], 'thread').lanes[0]!.rows[1]!;
    expect(firstVisible(row, T0 + 50)).toBe(1); // update (10..20) ended; render (30..60) overlaps
    expect(firstVisible(row, T0 + 95)).toBe(2);
  });
});

describe('viewport', () => {
  const v = { from: 0, to: 1000, width: 100 };
  test('zoom keeps the time under the cursor in place', () => {
    const z = zoom(v, 25, 0.5);
    expect(z.to - z.from).toBe(500);
    expect(toX(250, z)).toBeCloseTo(25);
  });
  test('pan moves by pixels', () => expect(pan(v, 10)).toEqual({ from: -100, to: 900, width: 100 }));
});

describe('rendering and hit testing', () => {
  const timeline = buildTimeline(
    [
      spanFrame('main', [
        { begin: T0, end: T0 + 100, depth: 1, name: 'frame', target: 'engine' },
        { begin: T0 + 10, end: T0 + 20, depth: 2, name: 'update', target: 'engine' },
      ]),
    ],
    'thread',
  );
  const layout = layoutTimeline(timeline, 20);
  const v = { from: T0, to: T0 + 100, width: 1000 };

  test('draws lane header, spans and their labels', () => {
    const { ctx, calls } = recordingContext();
    const stats = renderTimeline(ctx, timeline, layout, v, palette);
    expect(stats).toEqual({ rects: 2, labels: 2 });
    expect(calls.fillText).toEqual(['main', 'frame', 'update']);
    expect(layout.height).toBe(LANE_HEADER + 2 * 20);
  });

  test('the top-level spans take the row under the lane header: no empty row above them', () => {
    expect(layout.rows.map((r) => [r.row, r.y])).toEqual([
      [0, LANE_HEADER],
      [1, LANE_HEADER + 20],
    ]);
  });

  test('hover finds the deepest span under the pointer, with its depth as queried', () => {
    expect(spanAt(timeline, layout, v, 150, LANE_HEADER + 25)).toMatchObject({
      name: 'update',
      target: 'engine',
      depth: 2,
      begin: T0 + 10,
      end: T0 + 20,
    });
    expect(spanAt(timeline, layout, v, 500, LANE_HEADER + 5)).toMatchObject({ name: 'frame', depth: 1 });
    expect(spanAt(timeline, layout, v, 500, LANE_HEADER + 25)).toBeUndefined();
  });

  test('100 k spans draw with at most a few rectangles per pixel column and row', () => {
    const big = buildTimeline([manySpans(100_000)], 'thread');
    const bigLayout = layoutTimeline(big, 18);
    const view = { from: big.begin, to: big.end, width: 1200 };
    const { ctx } = recordingContext();
    const stats = renderTimeline(ctx, big, bigLayout, view, palette);
    expect(big.spanCount).toBe(100_000);
    // 4 rows of sub-pixel spans: merged into dust runs, not 100 k rectangles.
    expect(stats.rects).toBeLessThanOrEqual(4 * 1200);
    expect(stats.rects).toBeGreaterThan(0);
    // Zoomed on 1/1000th of the range, individual spans are wide enough to draw and label.
    const zoomed = { from: big.begin, to: big.begin + (big.end - big.begin) / 1000, width: 1200 };
    const z = renderTimeline(recordingContext().ctx, big, bigLayout, zoomed, palette);
    expect(z.labels).toBeGreaterThan(0);
    expect(z.rects).toBeLessThan(500);
  });
});

test('formatDuration', () => {
  expect([formatDuration(0.0005), formatDuration(0.0123), formatDuration(4.56), formatDuration(1200)]).toEqual([
    '500 ns',
    '12.3 µs',
    '4.56 ms',
    '1.20 s',
  ]);
});
