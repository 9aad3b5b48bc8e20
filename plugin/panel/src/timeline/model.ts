// Span frames → lanes of columnar spans, sorted by begin within each depth row so that rendering and
// hit testing can binary-search the visible window instead of scanning 100 k spans.
//
// Times at full precision: Grafana hands a time column to the browser as whole milliseconds plus, in
// `field.nanos`, what is left below the millisecond (sdk-go's frame JSON). Most spans of a game loop
// begin and end within one millisecond, so both parts are read, and kept relative to `origin` (a
// whole millisecond): epoch milliseconds as doubles would round to a quarter of a microsecond.
import type { DataFrame, Field } from '@grafana/data';

export interface DepthRow {
  /** Begin/end in ms since Timeline.origin, sorted by begin. */
  begin: Float64Array;
  end: Float64Array;
  /** Index into Timeline.names / Timeline.targets. */
  name: Uint32Array;
  target: Uint32Array;
  /** Longest span of the row: how far before a window's start an overlapping span can begin. */
  longest: number;
}

export interface Lane {
  name: string;
  /** rows[i] holds the spans of depth Timeline.firstDepth + i. */
  rows: DepthRow[];
}

/**
 * Depth of a top-level span in thread_spans: as in micromegas, depth counts from the thread, which
 * would be depth 0 but has no row. The first row of a lane shows this depth, so no lane starts with
 * an empty row.
 */
export const TOP_LEVEL_DEPTH = 1;

export interface Timeline {
  lanes: Lane[];
  /**
   * Span depth of every lane's first row: TOP_LEVEL_DEPTH, or 0 when a frame has depth-0 spans
   * (async_events, whose root spans are at depth 0). The same for all lanes, so rows line up.
   */
  firstDepth: number;
  names: string[];
  targets: string[];
  /** Epoch ms (a whole number) that every time of the timeline counts from. */
  origin: number;
  /** First begin and last end, in ms since origin. */
  begin: number;
  end: number;
  spanCount: number;
}

export class SpanFrameError extends Error {
  constructor(
    readonly frame: string,
    message: string,
  ) {
    super(`frame "${frame}": ${message}`);
    this.name = 'SpanFrameError';
  }
}

const fieldOf = (frame: DataFrame, ...names: string[]): Field | undefined =>
  names.map((n) => frame.fields.find((f) => f.name === n)).find((f) => f !== undefined);

/** Grafana hands times as ms numbers (or, for some sources, ISO strings or Date objects). */
function toMs(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  return Date.parse(String(value));
}

/** Row `i` of a time field in ms since `origin`, with the field's sub-millisecond part. */
function timeAt(field: Field, i: number, origin: number): number {
  return toMs(field.values[i]) - origin + (field.nanos?.[i] ?? 0) / 1e6;
}

/** The whole millisecond of the first readable begin: the origin of the timeline's times. */
function originOf(frames: DataFrame[]): number {
  for (const frame of frames) {
    const begin = fieldOf(frame, 'begin', 'startTime', 'time');
    for (let i = 0; begin && i < frame.length; i++) {
      const ms = toMs(begin.values[i]);
      if (Number.isFinite(ms)) {
        return Math.floor(ms);
      }
    }
  }
  return 0;
}

class Interner {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  id(value: unknown): number {
    const key = value === null || value === undefined ? '' : String(value);
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(key);
      this.index.set(key, id);
    }
    return id;
  }
}

interface Pending {
  begin: number[];
  end: number[];
  name: number[];
  target: number[];
}

const emptyRow = (): Pending => ({ begin: [], end: [], name: [], target: [] });

/** A span's depth; spans without one (no depth column, null) are top-level. */
function depthOf(field: Field | undefined, i: number): number {
  const value = field?.values[i];
  const depth = value === null || value === undefined ? NaN : Number(value);
  return Number.isFinite(depth) ? Math.trunc(depth) : TOP_LEVEL_DEPTH;
}

function sortRow(pending: Pending): DepthRow {
  const order = Array.from(pending.begin.keys()).sort((a, b) => pending.begin[a]! - pending.begin[b]!);
  const begin = Float64Array.from(order, (i) => pending.begin[i]!);
  const end = Float64Array.from(order, (i) => pending.end[i]!);
  let longest = 0;
  for (let i = 0; i < begin.length; i++) {
    longest = Math.max(longest, end[i]! - begin[i]!);
  }
  return {
    begin,
    end,
    name: Uint32Array.from(order, (i) => pending.name[i]!),
    target: Uint32Array.from(order, (i) => pending.target[i]!),
    longest,
  };
}

export function buildTimeline(frames: DataFrame[], laneField: string): Timeline {
  const names = new Interner();
  const targets = new Interner();
  // Rows by depth, turned into arrays once the shallowest depth of all frames is known.
  const lanes = new Map<string, Map<number, Pending>>();
  let firstDepth = TOP_LEVEL_DEPTH;
  const origin = originOf(frames);
  let begin = Infinity;
  let end = -Infinity;
  let spanCount = 0;

  frames.forEach((frame, frameIndex) => {
    const label = frame.name ?? frame.refId ?? `lane ${frameIndex + 1}`;
    const beginField = fieldOf(frame, 'begin', 'startTime', 'time');
    const endField = fieldOf(frame, 'end');
    const durationField = fieldOf(frame, 'duration');
    if (!beginField || (!endField && !durationField)) {
      throw new SpanFrameError(label, 'needs begin and end (or duration in ns) columns, as thread_spans has');
    }
    const depthField = fieldOf(frame, 'depth');
    const nameField = fieldOf(frame, 'name', 'operationName');
    const targetField = fieldOf(frame, 'target');
    const laneOf = fieldOf(frame, laneField);
    for (let i = 0; i < frame.length; i++) {
      const b = timeAt(beginField, i, origin);
      const e = endField ? timeAt(endField, i, origin) : b + Number(durationField!.values[i]) / 1e6;
      if (!Number.isFinite(b) || !Number.isFinite(e)) {
        continue;
      }
      const laneName = laneOf ? String(laneOf.values[i]) : label;
      let rows = lanes.get(laneName);
      if (!rows) {
        lanes.set(laneName, (rows = new Map()));
      }
      const depth = depthOf(depthField, i);
      firstDepth = Math.min(firstDepth, depth);
      let row = rows.get(depth);
      if (!row) {
        rows.set(depth, (row = emptyRow()));
      }
      row.begin.push(b);
      row.end.push(Math.max(b, e));
      row.name.push(names.id(nameField?.values[i]));
      row.target.push(targets.id(targetField?.values[i]));
      begin = Math.min(begin, b);
      end = Math.max(end, e);
      spanCount++;
    }
  });

  const rowsFrom = (byDepth: Map<number, Pending>): DepthRow[] => {
    const deepest = Math.max(...byDepth.keys());
    return Array.from({ length: deepest - firstDepth + 1 }, (_, i) => sortRow(byDepth.get(firstDepth + i) ?? emptyRow()));
  };
  return {
    lanes: [...lanes].map(([name, byDepth]) => ({ name, rows: rowsFrom(byDepth) })),
    firstDepth,
    names: names.values,
    targets: targets.values,
    origin,
    begin: spanCount > 0 ? begin : 0,
    end: spanCount > 0 ? end : 0,
    spanCount,
  };
}

/** First index of `row` whose span can overlap a window starting at `from` (spans sorted by begin). */
export function firstVisible(row: DepthRow, from: number): number {
  let lo = 0;
  let hi = row.begin.length;
  const earliest = from - row.longest;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (row.begin[mid]! < earliest) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
