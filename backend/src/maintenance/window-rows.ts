import type { SqlExecutor } from '../lake/metadata/store.js';

/** Rows in the global partitions of `viewSet` that meet the insert-time window [begin, end). */
export async function rowsInWindow(db: SqlExecutor, viewSet: string, begin: Date, end: Date): Promise<number> {
  const [row] = await db.query<{ rows: number | bigint }>(
    `SELECT coalesce(sum(num_rows), 0)::int8 AS rows FROM lakehouse_partitions
     WHERE view_set_name = $1 AND view_instance_id = 'global' AND begin_insert_time < $3 AND end_insert_time > $2`,
    [viewSet, begin, end]);
  return Number(row?.rows ?? 0);
}
