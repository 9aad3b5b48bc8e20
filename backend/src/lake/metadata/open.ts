import { mkdir } from 'node:fs/promises';
import type { MetadataStore } from './store.js';
import { PostgresMetadataStore, type PostgresOptions } from './postgres.js';
import { PGliteMetadataStore } from './pglite.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';

export type MetadataStoreOptions =
  | ({ kind: 'postgres' } & PostgresOptions)
  /** `dataDir` absent: in memory. */
  | { kind: 'pglite'; dataDir?: string };

/** Opens the metadata database and brings its schema up to date before returning it. */
export async function openMetadataStore(options: MetadataStoreOptions): Promise<MetadataStore> {
  let store: MetadataStore;
  let setup: string[] = [];
  if (options.kind === 'postgres') {
    store = new PostgresMetadataStore(options);
    if (options.schema !== undefined) setup = [`CREATE SCHEMA IF NOT EXISTS ${options.schema}`];
  } else {
    if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
    store = await PGliteMetadataStore.open(options.dataDir);
  }
  try {
    await migrate(store, migrations, setup);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
