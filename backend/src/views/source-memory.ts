/**
 * What closed insert seconds hold, remembered between queries, so that a query summarizes only the
 * blocks of the seconds still open instead of every block of its range (../views/segment-refresh.ts
 * compares those summaries with the partitions' source hashes).
 *
 * An insert second is closed once no transaction that could still add a block to it is open
 * (./insert-seconds.ts `openSince`); from then on only a change to blocks already inserted (a
 * retention delete, …) can alter it, and every such statement moves the `source_changes` counter
 * (migration 0006), which makes the memory start over. Per global block selection and segment
 * width, the memory holds every second of [from, closed) and the latest event time of the blocks
 * inserted before `from`: a query whose range begins after that one needs no older segment.
 * Queries reaching further back, and the scheduler, summarize from the database as before.
 */
import type { SqlExecutor } from '../lake/metadata/store.js';
import type { TimeRange } from '../query/engine.js';
import type { InsertRange, RangeSources, SegmentSource, SegmentSummary } from './segment-refresh.js';
import { combineSourceHashes } from './source-hash.js';
import type { BlockSelection, SourceBlocks } from './source-blocks.js';
import { endedBefore, insertSeconds, openSince, type SecondSources } from './insert-seconds.js';

/** How far before a query's range the memory starts: the blocks inserted earlier must all have ended before it. */
const LOOKBACK_MS = 5 * 60_000;
/** The span of closed seconds kept per selection; the oldest segments go first. */
const KEEP_MS = 2 * 3_600_000;

interface Memory {
  changes: string;
  /** Segment-aligned start of the known seconds. */
  fromMs: number;
  /** Seconds in [fromMs, closedMs) are closed and all in `seconds`. */
  closedMs: number;
  /** Latest event time of the selected blocks inserted before fromMs. */
  endedBeforeMs: number;
  seconds: Map<number, SecondSources>;
  /**
   * Ranges inside closed seconds that are not whole seconds (the pieces queries built while their
   * second was open, ./segment-refresh.ts `tail`), as the database answered them once: by `begin:end`.
   */
  pieces: Map<string, { begin: number; sources: RangeSources | undefined }>;
}

/** A refresh's sources, for the width and range it was made for: closed seconds from memory, the open ones as just read. */
export type SourcesView = Pick<SegmentSource, 'summaries' | 'rangeSources'>;

export class SourceMemory {
  readonly #memories = new Map<string, Memory>();

  constructor(private readonly db: SqlExecutor, private readonly source: SourceBlocks) {}

  /**
   * The segments of `widthSeconds` holding selected blocks whose event times may meet `range` (a
   * segment may be listed whose blocks all miss it), or undefined when the memory cannot answer
   * (range without a beginning, or beginning before what it knows): ask the database.
   */
  async view(selection: BlockSelection, widthSeconds: number, range: TimeRange): Promise<SourcesView | undefined> {
    if (selection.filter.kind !== 'global' || range.begin === undefined) return undefined;
    const key = `${selection.streamTag}\0${widthSeconds}`;
    const width = widthSeconds * 1000;
    const beginMs = range.begin.getTime();
    const openMs = await openSince(this.db);
    if (openMs === undefined) {
      this.#memories.delete(key);
      return undefined;
    }
    let memory = this.#memories.get(key);
    if (memory !== undefined && !(beginMs > memory.endedBeforeMs)) memory = undefined;
    let sinceMs = memory?.closedMs;
    let fresh: Omit<Memory, 'changes' | 'seconds' | 'closedMs' | 'pieces'> | undefined;
    if (memory === undefined) {
      const fromMs = Math.floor(Math.min(beginMs - LOOKBACK_MS, openMs) / width) * width;
      fresh = { fromMs, endedBeforeMs: await endedBefore(this.db, selection, fromMs) };
      if (!(beginMs > fresh.endedBeforeMs)) return undefined;
      sinceMs = fromMs;
    }
    const tail = await insertSeconds(this.db, selection, sinceMs!);
    if (memory !== undefined && memory.changes !== tail.changes) {
      // Blocks already summarized changed: start over (next query) from what the database says.
      this.#memories.delete(key);
      return undefined;
    }
    memory ??= { ...fresh!, changes: tail.changes, closedMs: fresh!.fromMs, seconds: new Map(), pieces: new Map() };
    const open = new Map<number, SecondSources>();
    for (const [second, sources] of tail.seconds) (second < openMs ? memory.seconds : open).set(second, sources);
    memory.closedMs = Math.max(memory.closedMs, openMs);
    forgetOldest(memory, width);
    this.#memories.set(key, memory);
    const known = knownRanges(memory, open);
    const summaries = summariesOf(memory, open, width, range);
    const remembered = memory;
    return {
      summaries: () => Promise.resolve(summaries),
      rangeSources: async (ranges) => {
        const answers = ranges.map(known);
        const unknown = ranges.filter((_, i) => answers[i] === 'unknown');
        const asked = unknown.length === 0 ? [] : await this.source.rangeSources(selection, unknown);
        unknown.forEach((r, i) => rememberPiece(remembered, r, asked[i]));
        return answers.map((a) => (a === 'unknown' ? asked.shift() : a));
      },
    };
  }
}

/** Drops whole segments from the start beyond KEEP_MS, keeping the latest event time they held. */
function forgetOldest(memory: Memory, width: number): void {
  const keepFrom = Math.floor((memory.closedMs - KEEP_MS) / width) * width;
  if (keepFrom <= memory.fromMs) return;
  for (const [second, sources] of memory.seconds) {
    if (second >= keepFrom) continue;
    memory.endedBeforeMs = Math.max(memory.endedBeforeMs, sources.maxEndMs);
    memory.seconds.delete(second);
  }
  for (const [key, piece] of memory.pieces) if (piece.begin < keepFrom) memory.pieces.delete(key);
  memory.fromMs = keepFrom;
}

const pieceKey = (r: InsertRange): string => `${r.begin}:${r.end}`;

/** Keeps what the database said of a range that is not whole seconds, once all of it is closed. */
function rememberPiece(memory: Memory, r: InsertRange, sources: RangeSources | undefined): void {
  if (r.begin >= memory.fromMs && r.end <= memory.closedMs && !isWholeSeconds(r)) memory.pieces.set(pieceKey(r), { begin: r.begin, sources });
}

function isWholeSeconds(r: InsertRange): boolean {
  return r.begin % 1000 === 0 && r.end % 1000 === 0;
}

/** What a range at or after the memory's start holds: whole seconds, or a piece remembered ('unknown' for other ranges). */
function knownRanges(memory: Memory, open: ReadonlyMap<number, SecondSources>): (range: InsertRange) => RangeSources | undefined | 'unknown' {
  return (r) => {
    if (r.begin < memory.fromMs) return 'unknown';
    if (!isWholeSeconds(r)) {
      const piece = memory.pieces.get(pieceKey(r));
      return piece === undefined ? 'unknown' : piece.sources;
    }
    const parts: SecondSources[] = [];
    for (let second = r.begin; second < r.end; second += 1000) {
      const sources = memory.seconds.get(second) ?? open.get(second);
      if (sources !== undefined) parts.push(sources);
    }
    return combine(parts);
  };
}

function summariesOf(memory: Memory, open: ReadonlyMap<number, SecondSources>, width: number, range: TimeRange): SegmentSummary[] {
  const all = [...memory.seconds, ...open];
  const beginMs = range.begin!.getTime();
  const endMs = range.end?.getTime() ?? Infinity;
  const segments = new Map<number, SecondSources[]>();
  for (const [second, sources] of all) {
    const segment = Math.floor(second / width);
    segments.set(segment, [...(segments.get(segment) ?? []), sources]);
  }
  const summaries: SegmentSummary[] = [];
  for (const [segment, parts] of [...segments].sort((a, b) => a[0] - b[0])) {
    // A second meets the range when one of its blocks may: its latest end after the beginning, its earliest begin before the end.
    if (!parts.some((s) => s.maxEndMs >= beginMs && s.minBeginMs < endMs)) continue;
    summaries.push({ ...combine(parts)!, segment, minBeginMs: Math.min(...parts.map((s) => s.minBeginMs)) });
  }
  return summaries;
}

/** The summary of the union of disjoint seconds; undefined for none. */
function combine(parts: readonly SecondSources[]): RangeSources | undefined {
  if (parts.length === 0) return undefined;
  return {
    hash: combineSourceHashes(parts.map((p) => p.hash))!,
    firstInsertMs: Math.min(...parts.map((p) => p.firstInsertMs)),
    lastInsertMs: Math.max(...parts.map((p) => p.lastInsertMs)),
  };
}
