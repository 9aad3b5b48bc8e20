import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { MetadataStore, SqlExecutor, SqlValue } from './store.js';

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params?: readonly SqlValue[]) {
      const result = await db.query<Row>(sql, params as unknown[] | undefined);
      return result.rows;
    },
  };
}

/**
 * MetadataStore over embedded PGlite (PostgreSQL in WebAssembly): one connection, so statements and
 * transactions are serialized by PGlite itself.
 */
export class PGliteMetadataStore implements MetadataStore {
  readonly kind = 'pglite';
  readonly query: SqlExecutor['query'];

  private constructor(readonly db: PGlite) {
    this.query = executor(db).query;
  }

  /** `dataDir` absent: an in-memory database that vanishes on close (tests). */
  static async open(dataDir?: string): Promise<PGliteMetadataStore> {
    const db = await PGlite.create(dataDir === undefined ? {} : { dataDir });
    return new PGliteMetadataStore(db);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(executor(tx)));
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
