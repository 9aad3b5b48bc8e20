/**
 * The refresh rule shared by every insert-time-partitioned view set. The sources (blocks, processes,
 * …) are cut into insert-time segments of a given width; each segment holding sources must be covered
 * by current partitions: partitions whose source hashes add up to what the segment holds now, built
 * with the current schema. The check is one sum per segment (see ./source-hash.ts), whatever mix of
 * widths covers it: second partitions the scheduler built, a minute it merged, the few seconds a
 * query filled in.
 *
 * What is not covered is repaired at the finest grain that is cheap: a stale partition is rebuilt
 * over its own range, and a gap between partitions gets a partition over the sources it holds; for
 * a query, just the seconds that hold them (so a query about the current minute builds only
 * the seconds the scheduler has not reached, and no partition reaches into the future to be made
 * stale by the next block), or, with `tail: 'sources'`, up to just after the last of them.
 *
 * With `merge` (the scheduler), each segment wider than a second then ends as one partition of
 * exactly its width, merged from the partitions inside it by the view set's merge SQL (no block
 * decoded again), unless those are large already (MERGED_ENOUGH_ROWS).
 */
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import type { SingleFlight } from './single-flight.js';
import { combineSourceHashes, EMPTY_SOURCE_HASH } from './source-hash.js';
import { scheduledUntil } from './scheduled-until.js';

/** The widest partition built from sources in one go (a larger gap is built hour by hour, then merged). */
const MAX_BUILD_MS = 3_600_000;

/**
 * Partitions holding this many rows on average are left apart instead of merged: each is 16 row
 * groups already, a file queries read well, and merging would rewrite every row once more for
 * little (an hour of a 1,000-process fleet's measures is 650 million rows: minutes of a core, with
 * the scheduler's lane held all along). So a merge rewrites fewer rows than this times its parts
 * (60 seconds, or 60 minutes).
 */
export const MERGED_ENOUGH_ROWS = 1 << 20;

/** Insert range in ms since the epoch, [begin, end). */
export interface InsertRange {
  begin: number;
  end: number;
}

/** What an insert range holds now. */
export interface RangeSources {
  /** Identifies the exact set of source rows (./source-hash.ts). */
  hash: string;
  /** Insert times of its first and last source, ms since the epoch (floored). */
  firstInsertMs: number;
  lastInsertMs: number;
}

/** One insert-time segment's sources, summarized. */
export interface SegmentSummary extends RangeSources {
  /** floor(insert epoch seconds / width). */
  segment: number;
  /** Earliest event time of its sources, in ms since the epoch (chained sets stop on it). */
  minBeginMs: number;
}

export interface TimeBounds {
  begin?: Date | undefined;
  end?: Date | undefined;
}

/** Where a view set's partitions come from. */
export interface SegmentSource {
  /** Segments of `widthSeconds` holding sources that meet `events` and were inserted within `inserts`. */
  summaries(widthSeconds: number, within: { events?: TimeBounds; inserts?: TimeBounds }): Promise<SegmentSummary[]>;
  /** What each insert range holds now (undefined: nothing), in one round trip. */
  rangeSources(ranges: readonly InsertRange[]): Promise<(RangeSources | undefined)[]>;
  /** Builds and records the partition of the sources inserted in [begin, end). */
  build(begin: Date, end: Date): Promise<void>;
}

export interface SegmentRefresh {
  index: PartitionIndex;
  viewSet: string;
  instanceId: string;
  schemaHash: string;
  widthSeconds: number;
  source: SegmentSource;
  events?: TimeBounds | undefined;
  inserts?: TimeBounds | undefined;
  /** Shares a build already running in this process for the same partition. */
  flights: SingleFlight;
  /** Makes one partition over [begin, end) of `parts`, which tile it (the scheduler's merges). */
  merge?: ((parts: readonly StoredPartition[], begin: Date, end: Date) => Promise<void>) | undefined;
  /**
   * Where a query's partition over a gap ends: 'seconds' (default), at the end of the second of its
   * last source; 'sources', just after its last source, so that the next query adds the blocks
   * inserted since as a piece of its own instead of building the open second again (for busy
   * global instances: a dashboard then decodes each block once, not at every statement).
   */
  tail?: 'seconds' | 'sources' | undefined;
  /**
   * For a query of a global instance: how recent the newest scheduled partition must be for the
   * query to leave what was inserted after it to the scheduler (./scheduled-until.ts); unset: build
   * to the present.
   */
  scheduledWindowMs?: number | undefined;
  /** Parts holding this many rows on average are not merged (default MERGED_ENOUGH_ROWS). */
  mergedEnoughRows?: number | undefined;
}

const startOf = (p: StoredPartition): number => p.begin_insert_time.getTime();
const endOf = (p: StoredPartition): number => p.end_insert_time.getTime();

/** Whether `parts` hold exactly the sources summarized by `hash`, built with `schemaHash`. */
export function coversSources(parts: readonly StoredPartition[], hash: string, schemaHash: string): boolean {
  return parts.length > 0 && parts.every((p) => p.file_schema_hash === schemaHash)
    && combineSourceHashes(parts.map((p) => p.source_data_hash)) === hash;
}

/** Whether `parts` are already one partition over exactly [begin, end) (nothing left to merge). */
export function isSingle(parts: readonly StoredPartition[], begin: number, end: number): boolean {
  return parts.length === 1 && startOf(parts[0]!) === begin && endOf(parts[0]!) === end;
}

/** Returns how many partitions it built or merged. */
export async function refreshSegments(r: SegmentRefresh): Promise<number> {
  const summaries = await r.source.summaries(r.widthSeconds, { events: r.events, inserts: r.inserts });
  if (summaries.length === 0) return 0;
  const width = r.widthSeconds * 1000;
  const recorded = await r.index.meetingInserts(r.viewSet, r.instanceId,
    new Date(summaries[0]!.segment * width), new Date((summaries.at(-1)!.segment + 1) * width));
  const until = r.merge === undefined && r.scheduledWindowMs !== undefined ? scheduledUntil(recorded, Date.now(), r.scheduledWindowMs) : undefined;
  const refresh = new Refresh(r, until);
  for (const summary of summaries) {
    const begin = summary.segment * width;
    const end = begin + width;
    const meeting = recorded.filter((p) => startOf(p) < end && endOf(p) > begin);
    const inner = meeting.filter((p) => startOf(p) >= begin && endOf(p) <= end);
    const covered = inner.length === meeting.length && coversSources(inner, summary.hash, r.schemaHash);
    if (!covered) await refresh.repair({ begin, end }, meeting, summary);
    // A second's pieces (queries built them while it was open) wait for the minute's merge:
    // merging them every second would cost about what building them piecewise saved.
    if (r.merge !== undefined && r.widthSeconds > 1) await refresh.merge({ begin, end }, covered ? inner : undefined);
  }
  return refresh.built;
}

/** One refresh call's work on its segments. */
class Refresh {
  built = 0;
  /** Partitions already checked against their sources in this call (a wide one meets many segments). */
  readonly #checked = new Set<StoredPartition>();

  /** @param until where gaps stop being filled (ms since the epoch): the scheduler builds the rest. */
  constructor(private readonly r: SegmentRefresh, private readonly until: number | undefined) {}

  /**
   * What a gap's partitions are rounded out to around its sources: for queries, whole seconds from
   * the first one (the present is never covered ahead of its blocks), ending at the second's end or
   * just after the last source (`tail`); for the scheduler, whose windows are complete, the whole
   * gap (an hour at most), merged as it is.
   */
  #pieces(gap: InsertRange, sources: RangeSources): InsertRange[] {
    if (this.r.merge !== undefined) return piecesOf(gap, sources, MAX_BUILD_MS, 'grain');
    return piecesOf(gap, sources, 1000, this.r.tail === 'sources' ? 'sources' : 'grain');
  }

  /** Rebuilds the stale partitions meeting `segment` and fills its gaps (all of it: `summary` says what it holds). */
  async repair(segment: InsertRange, meeting: readonly StoredPartition[], summary: RangeSources): Promise<void> {
    const unchecked = meeting.filter((p) => !this.#checked.has(p));
    const gaps = gapsBetween(segment, meeting, this.until);
    if (unchecked.length + gaps.length === 0) return;
    const whole = gaps.length === 1 && gaps[0]!.begin === segment.begin && gaps[0]!.end === segment.end;
    const now = whole
      ? [summary]
      : await this.r.source.rangeSources([...unchecked.map((p) => ({ begin: startOf(p), end: endOf(p) })), ...gaps]);
    for (const [i, p] of unchecked.entries()) {
      this.#checked.add(p);
      if (p.source_data_hash !== (now[i]?.hash ?? EMPTY_SOURCE_HASH) || p.file_schema_hash !== this.r.schemaHash) await this.#build(startOf(p), endOf(p));
    }
    for (const [i, gap] of gaps.entries()) {
      const sources = now[unchecked.length + i];
      if (sources !== undefined) for (const piece of this.#pieces(gap, sources)) await this.#build(piece.begin, piece.end);
    }
  }

  /** Merges the partitions inside `segment` into one of its width; `inner`: those, when known current. */
  async merge(segment: InsertRange, inner: readonly StoredPartition[] | undefined): Promise<void> {
    const { index, viewSet, instanceId } = this.r;
    const parts = inner ?? await index.meetingInserts(viewSet, instanceId, new Date(segment.begin), new Date(segment.end));
    if (parts.length === 0 || parts.some((p) => startOf(p) < segment.begin || endOf(p) > segment.end)) return; // inside a wider one
    if (isSingle(parts, segment.begin, segment.end)) return;
    if (parts.reduce((rows, p) => rows + p.num_rows, 0) >= parts.length * (this.r.mergedEnoughRows ?? MERGED_ENOUGH_ROWS)) return;
    await this.#once(`merge\0${segment.begin}\0${segment.end}`, () => this.r.merge!(parts, new Date(segment.begin), new Date(segment.end)));
  }

  #build(begin: number, end: number): Promise<void> {
    return this.#once(`${begin}\0${end}`, () => this.r.source.build(new Date(begin), new Date(end)));
  }

  async #once(key: string, fn: () => Promise<void>): Promise<void> {
    await this.r.flights.run(`${this.r.viewSet}\0${this.r.instanceId}\0${key}`, fn);
    this.built++;
  }
}

/** The parts of `segment` no partition covers, before `until` when given. */
function gapsBetween(segment: InsertRange, partitions: readonly StoredPartition[], until = Infinity): InsertRange[] {
  const gaps: InsertRange[] = [];
  let cursor = segment.begin;
  for (const p of [...partitions].sort((a, b) => startOf(a) - startOf(b))) {
    if (startOf(p) > cursor) gaps.push({ begin: cursor, end: Math.min(startOf(p), segment.end) });
    cursor = Math.max(cursor, endOf(p));
  }
  if (cursor < segment.end) gaps.push({ begin: cursor, end: segment.end });
  return gaps.map((g) => ({ begin: g.begin, end: Math.min(g.end, until) })).filter((g) => g.begin < g.end);
}

/**
 * The part of `gap` holding its sources, cut at MAX_BUILD_MS boundaries: from its first source
 * rounded down to `grainMs`, to its last one rounded up to `grainMs` ('grain') or to the next
 * millisecond ('sources').
 */
function piecesOf(gap: InsertRange, sources: RangeSources, grainMs: number, end: 'grain' | 'sources'): InsertRange[] {
  const first = Math.max(gap.begin, Math.floor(sources.firstInsertMs / grainMs) * grainMs);
  const last = Math.min(gap.end, end === 'sources' ? sources.lastInsertMs + 1 : (Math.floor(sources.lastInsertMs / grainMs) + 1) * grainMs);
  const pieces: InsertRange[] = [];
  for (let begin = first; begin < last;) {
    const end = Math.min(last, (Math.floor(begin / MAX_BUILD_MS) + 1) * MAX_BUILD_MS);
    pieces.push({ begin, end });
    begin = end;
  }
  return pieces;
}
