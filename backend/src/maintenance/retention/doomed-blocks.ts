/**
 * Deleting blocks without leaving anything dangling: each batch removes the rows and queues their
 * payload objects in `lakehouse_expired_files` in one transaction. The objects are deleted once the
 * grace period is over (a partition build that listed a block just before can still read it), by
 * the same sweep that deletes replaced partition files.
 */
import type { MetadataStore, SqlValue } from '../../lake/metadata/store.js';
import { blockPayloadKey } from '../../lake/telemetry/payload.js';
import { EXPIRED_FILE_GRACE_SECONDS } from '../../views/partition-index.js';

/** A SELECT of `block_id`s whose parameters start at $2 ($1 is the batch size, to use as LIMIT). */
export interface BlockIdQuery {
  sql: string;
  params: readonly SqlValue[];
}

export interface DeletedBlocks {
  blocks: number;
  bytes: number;
  streamIds: Set<string>;
  processIds: Set<string>;
}

/**
 * Deletes the selected blocks, `batchSize` per transaction, until none is left; `onBatch` gets the
 * running total. Payload objects expire `EXPIRED_FILE_GRACE_SECONDS` after `now`.
 */
export async function deleteBlocks(
  db: MetadataStore,
  selection: BlockIdQuery,
  options: { now: Date; batchSize: number; onBatch?: (total: DeletedBlocks) => void },
): Promise<DeletedBlocks> {
  const total: DeletedBlocks = { blocks: 0, bytes: 0, streamIds: new Set(), processIds: new Set() };
  const expiration = new Date(options.now.getTime() + EXPIRED_FILE_GRACE_SECONDS * 1000);
  for (;;) {
    const rows = await db.transaction(async (tx) => {
      const deleted = await tx.query<{ block_id: string; stream_id: string; process_id: string; payload_size: number | bigint }>(
        `DELETE FROM blocks WHERE block_id IN (${selection.sql}) RETURNING block_id, stream_id, process_id, payload_size`,
        [options.batchSize, ...selection.params]);
      if (deleted.length > 0) {
        await tx.query(
          `INSERT INTO lakehouse_expired_files (file_path, expiration) SELECT unnest($1::text[]), $2
           ON CONFLICT (file_path) DO NOTHING`,
          [deleted.map(blockPayloadKey), expiration]);
      }
      return deleted;
    });
    if (rows.length === 0) return total;
    for (const r of rows) {
      total.blocks++;
      total.bytes += Number(r.payload_size);
      total.streamIds.add(r.stream_id);
      total.processIds.add(r.process_id);
    }
    options.onBatch?.(total);
  }
}
