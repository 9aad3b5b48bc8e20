import type { SqlExecutor, SqlValue } from './store.js';

/** What `pg` pools and clients and PGlite databases and transactions have in common. */
interface RowsQueryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The SqlExecutor of either driver: statements go through, rows come back. */
export function executorOf(db: RowsQueryable): SqlExecutor {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params?: readonly SqlValue[]) {
      const result = await db.query(sql, params as SqlValue[] | undefined);
      return result.rows as Row[];
    },
  };
}
