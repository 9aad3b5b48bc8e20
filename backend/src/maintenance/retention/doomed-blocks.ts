/**
 * Deleting blocks without leaving anything dangling: each batch removes the rows and queues their
 * payload objects in `lakehouse_expired_files` in one transaction: a block's own object (lakes
 * written before packs), and each pack no remaining row refers to (../../lake/telemetry/payload.ts).
 * The objects are deleted once the grace period is over (a partition build that listed a block just
 * before can still read it), by the same sweep that deletes replaced partition files; that sweep
 * also leaves alone a pack that a row refers to again (../../views/expired-files.ts).
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
      const deleted = await tx.query<{ block_id: string; stream_id: string; process_id: string; payload_size: number | bigint; payload_key: string | null }>(
        `DELETE FROM blocks WHERE block_id IN (${selection.sql}) RETURNING block_id, stream_id, process_id, payload_size, payload_key`,
        [options.batchSize, ...selection.params]);
      const own = deleted.filter((r) => r.payload_key === null).map(blockPayloadKey);
      const packs = [...new Set(deleted.flatMap((r) => (r.payload_key === null ? [] : [r.payload_key])))];
      if (own.length > 0 || packs.length > 0) {
        // A new expiration replaces a pending one: the sweep then sees that this transaction changed it (expired-files.ts).
        await tx.query(
          `INSERT INTO lakehouse_expired_files (file_path, expiration)
           SELECT path, $3::timestamptz FROM unnest($1::text[]) AS path
           UNION ALL
           SELECT pack, $3 FROM unnest($2::text[]) AS pack WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE payload_key = pack)
           ON CONFLICT (file_path) DO UPDATE SET expiration = EXCLUDED.expiration`,
          [own, packs, expiration]);
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
