/**
 * The sweep of `lakehouse_expired_files`: objects (replaced partition files, files of builds that
 * died before recording them, payloads of deleted blocks, packs) whose grace period is over are
 * deleted from the object store, then taken off the list. In that order, so that a crash in between
 * leaves them listed and the next sweep finishes the job. Maintenance sweeps every minute; a
 * lakehouse without it sweeps after its own builds.
 *
 * A pack is listed as it is written (../lake/telemetry/packs.ts) and again when retention deletes
 * its last block; one that a block row refers to when its time comes is kept and only taken off the
 * list. That is decided in one statement that also requires the entry still to be due: retention
 * listing the pack again meanwhile (a new expiration, in a transaction this one waits for) keeps
 * the entry, so the pack is not forgotten.
 */
import type { SqlExecutor } from '../lake/metadata/store.js';

/** Deletions in flight at once (the object store may be remote). */
const CONCURRENCY = 16;

/** Whether a block row refers to the listed object `e` (a pack). */
const REFERENCED = '(EXISTS (SELECT 1 FROM blocks b WHERE b.payload_key = e.file_path))';

export async function countDueFiles(db: SqlExecutor, now: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM lakehouse_expired_files e WHERE expiration <= $1 AND NOT ${REFERENCED}`, [now]);
  return row?.n ?? 0;
}

/** Deletes every file due at `now` with `remove` (absent is fine), `batchSize` at a time; returns how many. */
export async function deleteDueFiles(
  db: SqlExecutor,
  remove: (path: string) => Promise<void>,
  options: { now: Date; batchSize: number; onBatch?: (deleted: number) => void },
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await db.query<{ file_path: string; referenced: boolean }>(
      `SELECT file_path, ${REFERENCED} AS referenced FROM lakehouse_expired_files e
       WHERE expiration <= $1 ORDER BY expiration, file_path LIMIT $2`,
      [options.now, options.batchSize]);
    if (rows.length === 0) return deleted;
    const kept = rows.filter((r) => r.referenced).map((r) => r.file_path);
    if (kept.length > 0) {
      await db.query(`DELETE FROM lakehouse_expired_files e WHERE file_path = ANY($1) AND expiration <= $2 AND ${REFERENCED}`, [kept, options.now]);
    }
    const paths = rows.filter((r) => !r.referenced).map((r) => r.file_path);
    for (let i = 0; i < paths.length; i += CONCURRENCY) {
      await Promise.all(paths.slice(i, i + CONCURRENCY).map(remove));
    }
    await db.query('DELETE FROM lakehouse_expired_files WHERE file_path = ANY($1)', [paths]);
    deleted += paths.length;
    options.onBatch?.(deleted);
  }
}
