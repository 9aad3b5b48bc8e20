/**
 * The JIT rule shared by every insert-time-partitioned view set: each segment holding source rows
 * must be covered by a current partition (same sources, same schema). The partition of exactly
 * that segment, or a wider one (an hour merged by maintenance) standing for it, is checked against
 * the source's summary; anything missing or stale is built. Narrower partitions do not cover a
 * segment: building it replaces them.
 */
import { createHash } from 'node:crypto';
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import type { SingleFlight } from './single-flight.js';

/**
 * md5 of the sorted source ids joined by ',': what the summaries compute in PostgreSQL as
 * md5(string_agg(id, ',' ORDER BY id COLLATE "C")) (ids are ASCII: both sort bytewise).
 */
export function sourceSetHash(ids: readonly string[]): string {
  return createHash('md5').update([...ids].sort().join(',')).digest('hex');
}

/** One insert-time segment's sources, summarized. */
export interface SegmentSummary {
  /** floor(insert epoch seconds / width). */
  segment: number;
  /** Identifies the exact set of source rows. */
  hash: string;
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
}

/** Returns how many partitions it (re)built. */
export async function refreshSegments(r: SegmentRefresh): Promise<number> {
  const summaries = await r.source.summaries(r.widthSeconds, { events: r.events, inserts: r.inserts });
  if (summaries.length === 0) return 0;
  const ms = (segment: number) => segment * r.widthSeconds * 1000;
  const recorded = await r.index.meetingInserts(r.viewSet, r.instanceId, new Date(ms(summaries[0]!.segment)), new Date(ms(summaries.at(-1)!.segment + 1)));
  const verified = new Set<StoredPartition>();
  let built = 0;
  const build = async (begin: number, end: number): Promise<void> => {
    await r.flights.run(`${r.viewSet}\0${r.instanceId}\0${begin}\0${end}`, () => r.source.build(new Date(begin), new Date(end)));
    built++;
  };
  for (const summary of summaries) {
    const begin = ms(summary.segment);
    const end = ms(summary.segment + 1);
    const exact = recorded.find((p) => p.begin_insert_time.getTime() === begin && p.end_insert_time.getTime() === end);
    const wider = exact ?? recorded.find((p) => p.begin_insert_time.getTime() <= begin && p.end_insert_time.getTime() >= end);
    if (wider === undefined) {
      await build(begin, end);
    } else if (wider === exact) {
      if (exact.source_data_hash !== summary.hash || exact.file_schema_hash !== r.schemaHash) await build(begin, end);
    } else if (!verified.has(wider)) {
      verified.add(wider);
      const [widerBegin, widerEnd] = [wider.begin_insert_time, wider.end_insert_time];
      const [current] = await r.source.summaries((widerEnd.getTime() - widerBegin.getTime()) / 1000, { inserts: { begin: widerBegin, end: widerEnd } });
      if (current?.hash !== wider.source_data_hash || wider.file_schema_hash !== r.schemaHash) await build(widerBegin.getTime(), widerEnd.getTime());
    }
  }
  return built;
}
