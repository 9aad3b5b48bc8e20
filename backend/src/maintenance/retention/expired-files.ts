/**
 * The sweep of `lakehouse_expired_files`: objects (replaced partition files, payloads of deleted
 * blocks) whose grace period is over are deleted from the object store, then taken off the list.
 * In that order, so that a crash in between leaves them listed and the next sweep finishes the job.
 */
import type { SqlExecutor } from '../../lake/metadata/store.js';
import type { ObjectStore } from '../../lake/object-store/store.js';

/** Deletions in flight at once (the object store may be remote). */
const CONCURRENCY = 16;

export async function countDueFiles(db: SqlExecutor, now: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM lakehouse_expired_files WHERE expiration <= $1', [now]);
  return row?.n ?? 0;
}

/** Deletes every file due at `now`, `batchSize` at a time; returns how many. */
export async function deleteDueFiles(
  db: SqlExecutor,
  objects: ObjectStore,
  options: { now: Date; batchSize: number; onBatch?: (deleted: number) => void },
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await db.query<{ file_path: string }>(
      'SELECT file_path FROM lakehouse_expired_files WHERE expiration <= $1 ORDER BY expiration, file_path LIMIT $2',
      [options.now, options.batchSize]);
    if (rows.length === 0) return deleted;
    const paths = rows.map((r) => r.file_path);
    for (let i = 0; i < paths.length; i += CONCURRENCY) {
      await Promise.all(paths.slice(i, i + CONCURRENCY).map((path) => objects.delete(path)));
    }
    await db.query('DELETE FROM lakehouse_expired_files WHERE file_path = ANY($1)', [paths]);
    deleted += paths.length;
    options.onBatch?.(deleted);
  }
}
