/**
 * The sweep of `lakehouse_expired_files`: objects (replaced partition files, files of builds that
 * died before recording them, payloads of deleted blocks) whose grace period is over are deleted
 * from the object store, then taken off the list. In that order, so that a crash in between leaves
 * them listed and the next sweep finishes the job. Maintenance sweeps every minute; a lakehouse
 * without it sweeps after its own builds.
 */
import type { SqlExecutor } from '../lake/metadata/store.js';

/** Deletions in flight at once (the object store may be remote). */
const CONCURRENCY = 16;

export async function countDueFiles(db: SqlExecutor, now: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM lakehouse_expired_files WHERE expiration <= $1', [now]);
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
    const rows = await db.query<{ file_path: string }>(
      'SELECT file_path FROM lakehouse_expired_files WHERE expiration <= $1 ORDER BY expiration, file_path LIMIT $2',
      [options.now, options.batchSize]);
    if (rows.length === 0) return deleted;
    const paths = rows.map((r) => r.file_path);
    for (let i = 0; i < paths.length; i += CONCURRENCY) {
      await Promise.all(paths.slice(i, i + CONCURRENCY).map(remove));
    }
    await db.query('DELETE FROM lakehouse_expired_files WHERE file_path = ANY($1)', [paths]);
    deleted += paths.length;
    options.onBatch?.(deleted);
  }
}
