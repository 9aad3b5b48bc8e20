/**
 * For tests: the same test body runs against every metadata backend. PostgreSQL tests get their own
 * schema in the `test` database (tests run in parallel), dropped afterwards; PGlite runs in memory.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { MetadataStore } from './store.js';
import { openMetadataStore, type MetadataStoreOptions } from './open.js';

export const TEST_POSTGRES_URL = process.env['MICROMEGAS_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestMetadataStore {
  store: MetadataStore;
  /** Options that open the same database again (e.g. for a server under test). */
  options: MetadataStoreOptions;
  /** Closes the store and removes what the test created. */
  drop(): Promise<void>;
}

export interface TestMetadataBackend {
  name: 'postgres' | 'pglite';
  open(): Promise<TestMetadataStore>;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export const testMetadataBackends: readonly TestMetadataBackend[] = [
  {
    name: 'postgres',
    async open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const options: MetadataStoreOptions = { kind: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 4 };
      const store = await openMetadataStore(options);
      return {
        store,
        options,
        async drop() {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  },
  {
    name: 'pglite',
    async open() {
      const options: MetadataStoreOptions = { kind: 'pglite' };
      const store = await openMetadataStore(options);
      return { store, options, drop: () => store.close() };
    },
  },
];
