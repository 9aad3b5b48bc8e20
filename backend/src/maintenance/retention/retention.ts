/**
 * Retention: everything ingested before the cutoff goes, in an order that never leaves a reference
 * dangling: blocks (rows, then their payloads after the grace period), then the streams and
 * processes left without blocks or streams, then the partitions built only from expired inserts
 * (retired: their files expire like any replaced file). Every step works in batches and is
 * idempotent, so an interrupted run is finished by the next one. A dry run counts the same things
 * with the same predicates and changes nothing.
 */
import type { MetadataStore, SqlExecutor } from '../../lake/metadata/store.js';
import type { ObjectStore } from '../../lake/object-store/store.js';
import { PartitionIndex } from '../../views/partition-index.js';
import { deleteBlocks } from './doomed-blocks.js';
import { countDueFiles, deleteDueFiles } from '../../views/expired-files.js';

export interface RetentionOptions {
  /** Everything inserted before this goes. */
  cutoff: Date;
  /** The caller's clock: payloads expire from it, due files are those expired by it. */
  now: Date;
  batchSize: number;
  dryRun: boolean;
  /** Told after each batch: which step and how many items it has done so far. */
  onProgress?: (step: RetentionStep, done: number) => void;
}

export type RetentionStep = 'blocks' | 'streams' | 'processes' | 'partitions' | 'files';

/** What went (or, in a dry run, would go). */
export interface RetentionReport {
  cutoff: Date;
  dryRun: boolean;
  blocks: number;
  blockBytes: number;
  streams: number;
  processes: number;
  partitions: number;
  partitionBytes: number;
  /** Expired files (replaced partitions, payloads of blocks deleted earlier) deleted from the object store. */
  files: number;
}

/** Before any insert time: retiring [epoch, cutoff) covers every expired partition. */
const EPOCH = new Date(0);

const EXPIRED_BLOCKS = 'SELECT block_id FROM blocks WHERE insert_time < $2 ORDER BY insert_time LIMIT $1';
const EMPTY_STREAMS = `SELECT s.stream_id FROM streams s
  WHERE s.insert_time < $2 AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.stream_id = s.stream_id) LIMIT $1`;
const EMPTY_PROCESSES = `SELECT p.process_id FROM processes p
  WHERE p.insert_time < $2 AND NOT EXISTS (SELECT 1 FROM streams s WHERE s.process_id = p.process_id) LIMIT $1`;

export async function applyRetention(db: MetadataStore, objects: ObjectStore, options: RetentionOptions): Promise<RetentionReport> {
  return options.dryRun ? planRetention(db, options) : runRetention(db, objects, options);
}

async function planRetention(db: SqlExecutor, { cutoff, now }: RetentionOptions): Promise<RetentionReport> {
  // What the steps below would leave empty once the expired blocks are gone.
  const [row] = await db.query<Record<string, number | bigint>>(
    `SELECT
       (SELECT count(*) FROM blocks WHERE insert_time < $1)::int8 AS blocks,
       (SELECT coalesce(sum(payload_size), 0) FROM blocks WHERE insert_time < $1)::int8 AS block_bytes,
       (SELECT count(*) FROM streams s WHERE s.insert_time < $1
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.stream_id = s.stream_id AND b.insert_time >= $1))::int8 AS streams,
       (SELECT count(*) FROM processes p WHERE p.insert_time < $1
          AND NOT EXISTS (SELECT 1 FROM streams s WHERE s.process_id = p.process_id
            AND (s.insert_time >= $1 OR EXISTS (SELECT 1 FROM blocks b WHERE b.stream_id = s.stream_id AND b.insert_time >= $1))))::int8 AS processes,
       (SELECT count(*) FROM lakehouse_partitions WHERE end_insert_time <= $1)::int8 AS partitions,
       (SELECT coalesce(sum(file_size), 0) FROM lakehouse_partitions WHERE end_insert_time <= $1)::int8 AS partition_bytes`,
    [cutoff]);
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    cutoff, dryRun: true, blocks: n('blocks'), blockBytes: n('block_bytes'), streams: n('streams'), processes: n('processes'),
    partitions: n('partitions'), partitionBytes: n('partition_bytes'), files: await countDueFiles(db, now),
  };
}

async function runRetention(db: MetadataStore, objects: ObjectStore, options: RetentionOptions): Promise<RetentionReport> {
  const { cutoff, now, batchSize, onProgress } = options;
  const blocks = await deleteBlocks(db, { sql: EXPIRED_BLOCKS, params: [cutoff] }, {
    now, batchSize, onBatch: (total) => onProgress?.('blocks', total.blocks),
  });
  const streams = await deleteInBatches(db, 'streams', 'stream_id', EMPTY_STREAMS, [batchSize, cutoff], (n) => onProgress?.('streams', n));
  const processes = await deleteInBatches(db, 'processes', 'process_id', EMPTY_PROCESSES, [batchSize, cutoff], (n) => onProgress?.('processes', n));
  const retired = await retireExpiredPartitions(db, cutoff, batchSize, (n) => onProgress?.('partitions', n));
  const files = await deleteDueFiles(db, (path) => objects.delete(path), { now, batchSize, onBatch: (n) => onProgress?.('files', n) });
  return {
    cutoff, dryRun: false, blocks: blocks.blocks, blockBytes: blocks.bytes, streams, processes,
    partitions: retired.partitions, partitionBytes: retired.bytes, files,
  };
}

async function deleteInBatches(
  db: SqlExecutor, table: 'streams' | 'processes', key: string, select: string, params: [number, Date], onBatch: (total: number) => void,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db.query(`DELETE FROM ${table} WHERE ${key} IN (${select}) RETURNING 1`, params);
    if (rows.length === 0) return total;
    total += rows.length;
    onBatch(total);
  }
}

/** Retires, instance by instance, the partitions whose whole insert range lies before the cutoff. */
async function retireExpiredPartitions(
  db: MetadataStore, cutoff: Date, batchSize: number, onBatch: (total: number) => void,
): Promise<{ partitions: number; bytes: number }> {
  const index = new PartitionIndex(db);
  const total = { partitions: 0, bytes: 0 };
  for (;;) {
    const instances = await db.query<{ view_set_name: string; view_instance_id: string; bytes: number | bigint }>(
      `SELECT view_set_name, view_instance_id, sum(file_size)::int8 AS bytes FROM lakehouse_partitions
       WHERE end_insert_time <= $1 GROUP BY view_set_name, view_instance_id ORDER BY view_set_name, view_instance_id LIMIT $2`,
      [cutoff, batchSize]);
    if (instances.length === 0) return total;
    for (const i of instances) {
      total.partitions += await index.retire(i.view_set_name, i.view_instance_id, EPOCH, cutoff);
      total.bytes += Number(i.bytes);
    }
    onBatch(total.partitions);
  }
}
