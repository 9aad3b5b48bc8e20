import { PGlite } from '@electric-sql/pglite';
import type { MetadataStore, SqlExecutor } from './store.js';
import { executorOf } from './executor.js';
import { lockDataDir } from './data-dir-lock.js';

/**
 * MetadataStore over embedded PGlite (PostgreSQL in WebAssembly): one connection, so statements and
 * transactions are serialized by PGlite itself.
 */
export class PGliteMetadataStore implements MetadataStore {
  readonly kind = 'pglite';
  readonly query: SqlExecutor['query'];

  private constructor(readonly db: PGlite, private readonly unlock: () => Promise<void>) {
    this.query = executorOf(db).query;
  }

  /**
   * `dataDir` absent: an in-memory database that vanishes on close (tests). A directory is locked
   * for this process until close (DataDirLockedError when another process has it).
   */
  static async open(dataDir?: string): Promise<PGliteMetadataStore> {
    if (dataDir === undefined) return new PGliteMetadataStore(await PGlite.create(), async () => {});
    const unlock = await lockDataDir(dataDir);
    try {
      return new PGliteMetadataStore(await PGlite.create({ dataDir }), unlock);
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(executorOf(tx)));
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      await this.unlock();
    }
  }
}
