/**
 * The time arithmetic of a rollup (./rollup.ts): which whole bins of a query's time range the bins
 * of the summary set can answer for, and which partial bins at either end the source must. Times are
 * nanoseconds since the epoch, as the views store them.
 */
import type { TimeRange } from '../engine.js';

/** One side of a time condition: `time >= at` (inclusive) or `time > at` for a lower bound, and so on. */
export interface Bound {
  at: bigint;
  inclusive: boolean;
}

export interface Bounds {
  lower: Bound[];
  upper: Bound[];
}

/** A half-open span of time in nanoseconds; an end left out is open. */
export interface Span {
  begin?: bigint;
  end?: bigint;
}

export interface BinPlan {
  /** Whole bins every row of which meets every bound: the summary answers for them. */
  interior: Span;
  /** Partial bins at the ends (one bin each at most) where rows must be read and filtered. */
  edges: { begin: bigint; end: bigint }[];
}

const floorTo = (at: bigint, bin: bigint): bigint => {
  const rest = at % bin;
  return rest < 0n ? at - rest - bin : at - rest;
};

/** The query's range (begin inclusive, end exclusive) as bounds, joined to those of its WHERE clause. */
export function withRange(bounds: Bounds, range: TimeRange): Bounds {
  const ns = (at: Date) => BigInt(at.getTime()) * 1_000_000n;
  return {
    lower: [...bounds.lower, ...(range.begin ? [{ at: ns(range.begin), inclusive: true }] : [])],
    upper: [...bounds.upper, ...(range.end ? [{ at: ns(range.end), inclusive: false }] : [])],
  };
}

/**
 * The bins of `binNs` that lie wholly within every bound, and the partial bins at each end that some
 * row could still meet; undefined when no whole bin does (a range shorter than two bins, say), where
 * reading the source alone costs little.
 */
export function planBins(bounds: Bounds, binNs: bigint): BinPlan | undefined {
  const firstWhole = (b: Bound) => (b.inclusive && floorTo(b.at, binNs) === b.at ? b.at : floorTo(b.at, binNs) + binNs);
  const begin = bounds.lower.length === 0 ? undefined : bounds.lower.map(firstWhole).reduce((a, b) => (a > b ? a : b));
  const end = bounds.upper.length === 0 ? undefined : bounds.upper.map((b) => floorTo(b.at, binNs)).reduce((a, b) => (a < b ? a : b));
  if (begin !== undefined && end !== undefined && begin >= end) return undefined;
  const edges: { begin: bigint; end: bigint }[] = [];
  // The bin before the interior holds rows only if no lower bound excludes it all; the bin after, likewise.
  if (begin !== undefined && !bounds.lower.some((b) => b.at >= begin)) edges.push({ begin: begin - binNs, end: begin });
  if (end !== undefined && !bounds.upper.some((b) => !b.inclusive && b.at <= end)) edges.push({ begin: end, end: end + binNs });
  return { interior: { ...(begin === undefined ? {} : { begin }), ...(end === undefined ? {} : { end }) }, edges };
}

/** A span of whole milliseconds as a TimeRange (bins are whole seconds or more). */
export function spanRange(span: Span): TimeRange {
  const date = (ns: bigint) => new Date(Number(ns / 1_000_000n));
  return { ...(span.begin === undefined ? {} : { begin: date(span.begin) }), ...(span.end === undefined ? {} : { end: date(span.end) }) };
}

const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/**
 * The instant a timestamp literal stands for, in nanoseconds, read as DuckDB reads it without a zone
 * (UTC); undefined for any text this does not read exactly the same way (zones, other forms, digits
 * beyond `digits`).
 */
export function literalNs(text: string, digits: number): bigint | undefined {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return undefined;
  const fraction = m[7] ?? '';
  if (fraction.length > digits) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; DuckDB refuses it: such text is not read here.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}
