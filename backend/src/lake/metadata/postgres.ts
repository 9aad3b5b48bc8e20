import pg from 'pg';
import type { MetadataStore, SqlExecutor } from './store.js';
import { executorOf } from './executor.js';
import { parseInt8 } from './int8.js';

export interface PostgresOptions {
  connectionString: string;
  /** Schema to create (if needed) and put first on every connection's search_path. */
  schema?: string;
  /** Largest number of connections in the pool. */
  poolSize?: number;
}

/** A schema name that is safe to put on a connection's startup options unquoted. */
export class InvalidSchemaNameError extends Error {
  override name = 'InvalidSchemaNameError';
  constructor(readonly schema: string) {
    super(`invalid schema name '${schema}': expected letters, digits and _, not starting with a digit`);
  }
}

const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format);
  },
};


/** MetadataStore over a `pg` connection pool. */
export class PostgresMetadataStore implements MetadataStore {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly query: SqlExecutor['query'];

  constructor(options: PostgresOptions) {
    const { schema } = options;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new InvalidSchemaNameError(schema);
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      types,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle client losing its server (restart, network) must not crash the process: the pool
    // drops it and the next query reconnects.
    this.#pool.on('error', () => {});
    this.query = executorOf(this.#pool).query;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(executorOf(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
