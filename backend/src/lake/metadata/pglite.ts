import { PGlite } from '@electric-sql/pglite';
import type { MetadataStore, SqlExecutor } from './store.js';
import { executorOf } from './executor.js';

/**
 * MetadataStore over embedded PGlite (PostgreSQL in WebAssembly): one connection, so statements and
 * transactions are serialized by PGlite itself.
 */
export class PGliteMetadataStore implements MetadataStore {
  readonly kind = 'pglite';
  readonly query: SqlExecutor['query'];

  private constructor(readonly db: PGlite) {
    this.query = executorOf(db).query;
  }

  /** `dataDir` absent: an in-memory database that vanishes on close (tests). */
  static async open(dataDir?: string): Promise<PGliteMetadataStore> {
    const db = await PGlite.create(dataDir === undefined ? {} : { dataDir });
    return new PGliteMetadataStore(db);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(executorOf(tx)));
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
