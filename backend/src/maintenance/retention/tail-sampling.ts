/**
 * Tail sampling: span streams are too heavy to keep for every process, so once a process's span
 * blocks are older than a minimum age, they are kept only if a selector (a SQL query over the cheap
 * views, see ./process-selector.ts) picks the process, for example because it logged an error.
 * The blocks of the others are deleted like expired ones (payloads after the grace period), and the
 * partitions built from them (every view set fed by span streams) are retired so that no query
 * still shows their spans; they are rebuilt from what is left on the next query.
 */
import type { MetadataStore } from '../../lake/metadata/store.js';
import type { TimeRange } from '../../query/engine.js';
import { blockViewSets } from '../../views/block-view-sets.js';
import { PartitionIndex } from '../../views/partition-index.js';
import { deleteBlocks } from './doomed-blocks.js';

/** The stream tag of span (thread and async) streams. */
export const SPAN_STREAM_TAG = 'cpu';

/** Given the time range the candidate processes ran in, the process ids whose spans to keep. */
export type ProcessSelector = (range: TimeRange) => Promise<ReadonlySet<string>>;

export interface TailSamplingOptions {
  /** Span blocks inserted before this are judged. */
  olderThan: Date;
  /** … and from this on, when given: the blocks an earlier run has judged are not judged again. */
  since?: Date;
  /** The caller's clock: payloads expire from it, and the selector's range ends there. */
  now: Date;
  select: ProcessSelector;
  batchSize: number;
  dryRun: boolean;
  onProgress?: (deletedBlocks: number) => void;
}

export interface TailSamplingReport {
  dryRun: boolean;
  /** Processes with span blocks old enough to be judged. */
  candidates: number;
  kept: number;
  /** Processes whose old span blocks went (would go). */
  dropped: number;
  blocks: number;
  bytes: number;
  /** Partitions retired because their spans went. */
  partitions: number;
}

/** Processes per DELETE statement: keeps the id array parameter small. */
const PROCESSES_PER_BATCH = 500;
const ALL_TIME = { begin: new Date(0), end: new Date(Date.UTC(9999, 0, 1)) };

interface Candidate {
  process_id: string;
  blocks: number;
  bytes: number;
  start_time: Date;
}

export async function applyTailSampling(db: MetadataStore, options: TailSamplingOptions): Promise<TailSamplingReport> {
  const candidates = (await db.query<{ process_id: string; blocks: number | bigint; bytes: number | bigint; start_time: Date }>(
    `SELECT b.process_id, count(*)::int8 AS blocks, sum(b.payload_size)::int8 AS bytes, min(p.start_time) AS start_time
     FROM blocks b JOIN streams s ON s.stream_id = b.stream_id JOIN processes p ON p.process_id = b.process_id
     WHERE $1 = ANY(s.tags) AND b.insert_time < $2 AND ($3::timestamptz IS NULL OR b.insert_time >= $3)
     GROUP BY b.process_id`,
    [SPAN_STREAM_TAG, options.olderThan, options.since ?? null])).map((r): Candidate => ({ ...r, blocks: Number(r.blocks), bytes: Number(r.bytes) }));
  const report: TailSamplingReport = { dryRun: options.dryRun, candidates: candidates.length, kept: 0, dropped: 0, blocks: 0, bytes: 0, partitions: 0 };
  if (candidates.length === 0) return report;

  // The selector judges each process over its whole life (an error logged before the span blocks
  // at hand still counts).
  const begin = new Date(Math.min(...candidates.map((c) => c.start_time.getTime())));
  const keep = await options.select({ begin, end: options.now });
  const dropped = candidates.filter((c) => !keep.has(c.process_id));
  report.kept = candidates.length - dropped.length;
  report.dropped = dropped.length;
  if (options.dryRun) {
    for (const c of dropped) {
      report.blocks += c.blocks;
      report.bytes += c.bytes;
    }
    return report;
  }

  const index = new PartitionIndex(db);
  for (let i = 0; i < dropped.length; i += PROCESSES_PER_BATCH) {
    const processIds = dropped.slice(i, i + PROCESSES_PER_BATCH).map((c) => c.process_id);
    const deleted = await deleteBlocks(db, {
      sql: `SELECT b.block_id FROM blocks b JOIN streams s ON s.stream_id = b.stream_id
            WHERE b.process_id = ANY($2) AND $3 = ANY(s.tags) AND b.insert_time < $4
              AND ($5::timestamptz IS NULL OR b.insert_time >= $5) LIMIT $1`,
      params: [processIds, SPAN_STREAM_TAG, options.olderThan, options.since ?? null],
    }, { now: options.now, batchSize: options.batchSize, onBatch: (total) => options.onProgress?.(report.blocks + total.blocks) });
    report.blocks += deleted.blocks;
    report.bytes += deleted.bytes;
    for (const set of blockViewSets.filter((s) => s.streamTag === SPAN_STREAM_TAG)) {
      const instances = set.info.instanceKind === 'stream_id' ? deleted.streamIds : deleted.processIds;
      for (const id of instances) report.partitions += await index.retire(set.info.name, id, ALL_TIME.begin, ALL_TIME.end);
    }
  }
  return report;
}
