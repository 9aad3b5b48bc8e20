import { dateTime, FieldType, toDataFrame } from '@grafana/data';
import { spanAt } from './hitTest';
import { layoutTimeline, LANE_HEADER, pan, toX, zoom } from './layout';
import { buildTimeline, firstVisible, SpanFrameError, TOP_LEVEL_DEPTH } from './model';
import { renderTimeline } from './render';
import { formatClock, formatDuration } from './format';
import { formatOffset, tickStep, timeTicks } from './axis';
import { jsonSpanFrame, manySpans, recordingContext, spanFrame } from './testing';

const T0 = 1_700_000_000_000;

const palette = {
  background: '#000',
  text: '#fff',
  laneHeader: '#111',
  dust: ['#333', '#555', '#777', '#999'],
  spans: ['#a00', '#0a0', '#00a'],
};

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
    // Times count from the first span's whole millisecond.
    expect(t.origin).toBe(T0 + 10);
    expect(t.lanes[0]!.rows.map((r) => Array.from(r.begin))).toEqual([[-10], [0, 20]]);
    expect(t.lanes[0]!.rows[1]!.longest).toBe(30);
    expect([t.begin, t.end, t.spanCount]).toEqual([-10, 90, 3]);
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
    expect(Array.from(buildTimeline([f], 'thread').lanes[0]!.rows[0]!.end)).toEqual([2.5]);
  });

  test('frames without span columns are refused with the reason', () => {
    const f = toDataFrame({ name: 'logs', fields: [{ name: 'msg', type: FieldType.string, values: ['x'] }] });
    expect(() => buildTimeline([f], 'thread')).toThrow(SpanFrameError);
  });

  test('firstVisible skips spans that end before the window, keeping long overlapping ones', () => {
    const t = buildTimeline([frame], 'thread');
    const row = t.lanes[0]!.rows[1]!;
    expect(firstVisible(row, T0 + 50 - t.origin)).toBe(1); // update (10..20) ended; render (30..60) overlaps
    expect(firstVisible(row, T0 + 95 - t.origin)).toBe(2);
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
  const v = { from: 0, to: 100, width: 1000 };

  test('draws lane header, spans and their labels', () => {
    const { ctx, calls } = recordingContext();
    const stats = renderTimeline(ctx, timeline, layout, v, palette);
    expect(stats).toEqual({ rects: 2, labels: 2, aggregated: 0 });
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
      duration: 10,
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

describe('full precision: frames as Grafana delivers them (ms + nanos)', () => {
  // A 60 fps game frame as the demo records it: everything happens within one millisecond.
  const ms = 1_700_000_000_123n * 1_000_000n;
  const us = (n: number) => ms + BigInt(n) * 1000n;
  const frame = jsonSpanFrame('main', [
    { begin: us(100), end: us(900), depth: 1, name: 'frame' },
    { begin: us(110), end: us(510), depth: 2, name: 'update' },
    { begin: us(120), end: us(320), depth: 3, name: 'physics' },
    { begin: us(330), end: us(500), depth: 3, name: 'ai' },
    { begin: us(520), end: us(890), depth: 2, name: 'render' },
  ]);

  test('the frame carries whole ms and nanos, and the timeline reads both', () => {
    expect(frame.fields[0]!.values).toEqual(new Array(5).fill(1_700_000_000_123));
    const t = buildTimeline([frame], 'thread');
    expect(t.origin).toBe(1_700_000_000_123);
    expect(t.lanes[0]!.rows.map((r) => Array.from(r.end, (e, i) => Math.round((e - r.begin[i]!) * 1e6)))).toEqual([
      [800_000],
      [400_000, 370_000],
      [200_000, 170_000],
    ]);
  });

  test('spans of the same millisecond are drawn with their true widths', () => {
    const t = buildTimeline([frame], 'thread');
    const layout = layoutTimeline(t, 20);
    // The view is the frame span (0.1 … 0.9 ms after origin) over 800 px: 1 px per µs.
    const { ctx, calls } = recordingContext();
    const stats = renderTimeline(ctx, t, layout, { from: 0.1, to: 0.9, width: 800 }, palette);
    expect(stats.aggregated).toBe(0);
    const spanRects = calls.rects.filter((r) => palette.spans.includes(r.style)).map((r) => [Math.round(r.x), Math.round(r.w)]);
    expect(spanRects).toEqual([
      [0, 800],
      [10, 400],
      [420, 370],
      [20, 200],
      [230, 170],
    ]);
  });

  test('hover reports the exact duration and the begin to the microsecond', () => {
    const t = buildTimeline([frame], 'thread');
    const layout = layoutTimeline(t, 20);
    const hit = spanAt(t, layout, { from: 0.1, to: 0.9, width: 800 }, 100, LANE_HEADER + 45)!;
    expect([hit.name, hit.duration]).toEqual(['physics', 0.2]);
    const utc = (epochMs: number, pattern: string) => dateTime(epochMs).utc().format(pattern);
    expect(formatClock(t.origin, hit.begin - t.origin, utc)).toBe('22:13:20.123 120');
  });
});

describe('level of detail', () => {
  test('sub-pixel spans shade their pixel column by how much of it they cover; an empty span still shows', () => {
    // 1 ms per pixel: spans of 0.2 ms, 0.9 ms and 0 ms in three columns.
    const t = buildTimeline(
      [
        spanFrame('main', [
          { begin: T0 + 10, end: T0 + 10.2, depth: 1, name: 'a' },
          { begin: T0 + 20, end: T0 + 20.9, depth: 1, name: 'b' },
          { begin: T0 + 30, end: T0 + 30, depth: 1, name: 'c' },
        ]),
      ],
      'thread',
    );
    const { ctx, calls } = recordingContext();
    const stats = renderTimeline(ctx, t, layoutTimeline(t, 20), { from: 0, to: 100, width: 100 }, palette);
    expect(stats.aggregated).toBe(3);
    const shades = calls.rects.filter((r) => palette.dust.includes(r.style)).map((r) => [r.x, r.w, palette.dust.indexOf(r.style)]);
    expect(shades).toEqual([
      [0, 1, 0],
      [10, 1, 3],
      [20, 1, 0],
    ]);
  });
});

describe('time axis', () => {
  const utc = (epochMs: number, pattern: string) => dateTime(epochMs).utc().format(pattern);
  const origin = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

  test('steps are round and at least 90 px apart, from a day down to nanoseconds', () => {
    const step = (spanMs: number) => tickStep({ from: 0, to: spanMs, width: 1000 });
    expect([step(86_400_000), step(60_000), step(1000), step(16), step(0.5), step(0.001)]).toEqual([
      3_600_000 * 3,
      10_000,
      100,
      2,
      0.05,
      0.0001,
    ]);
  });

  test('labels are the wall clock at the precision of the step', () => {
    expect(timeTicks({ from: 0, to: 60_000, width: 600 }, origin, utc).map((t) => t.label)).toEqual([
      '03:04:10',
      '03:04:20',
      '03:04:30',
      '03:04:40',
      '03:04:50',
      '03:05:00',
    ]);
    const ms = timeTicks({ from: 0, to: 16, width: 800 }, origin, utc);
    expect(ms.map((t) => t.label)).toEqual([
      '03:04:05.678',
      '03:04:05.680',
      '03:04:05.682',
      '03:04:05.684',
      '03:04:05.686',
      '03:04:05.688',
      '03:04:05.690',
      '03:04:05.692',
      '03:04:05.694',
    ]);
    expect(ms[1]!.x - ms[0]!.x).toBeCloseTo(100);
  });

  test('below a millisecond the first tick is the clock, the others offsets from it', () => {
    const ticks = timeTicks({ from: 0.1, to: 0.9, width: 800 }, origin, utc);
    expect(ticks.map((t) => t.label)).toEqual([
      '03:04:05.678',
      '+100 µs',
      '+200 µs',
      '+300 µs',
      '+400 µs',
      '+500 µs',
      '+600 µs',
      '+700 µs',
      '+800 µs',
    ]);
    expect(ticks[0]!.x).toBeCloseTo(0);
    expect(formatOffset(0.00002)).toBe('+20 ns');
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
