import { mkdir } from 'node:fs/promises';
import type { MetadataStore } from '../lake/metadata/store.js';
import { FileObjectStore } from '../lake/object-store/file.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { createQueryEngine, type QueryEngineConfig } from './duckdb-engine.js';
import type { QueryEngine } from './engine.js';
import type { SpillOptions } from '../lake/spill-dirs.js';
import { createWorkerEngine, type QueryLimits } from './workers/worker-engine.js';
import { createViewCatalog, defaultSpill, type LakehouseCatalog, type ViewCatalogOptions } from '../views/lakehouse-catalog.js';

/**
 * The query side of the lake: the view catalog (just-in-time materialization) and the locked-down
 * DuckDB engine over its partition files. A service opens one, shared by whatever roles query.
 */
export interface Lakehouse {
  readonly catalog: LakehouseCatalog;
  readonly engine: QueryEngine;
  close(): Promise<void>;
}

export interface LakehouseOptions {
  metadata: MetadataStore;
  objects: ObjectStore;
  /** Partitions fetched from a remote store and scratch files; the engine may read nothing else. */
  cacheDir: string;
  maxCacheBytes?: number;
  /** Engine settings beyond what the catalog decides (memory bound, admin functions). */
  engine?: Omit<Partial<QueryEngineConfig>, 'catalog' | 'allowedDirs' | 'spill'>;
  /** Where the catalog's writer and the engine spill, each in a folder of its own (default: next to cacheDir). */
  spill?: SpillOptions;
  /**
   * Bounds of the queries clients send: statements then run in worker processes (workers/worker-engine.ts)
   * with memory, time and admission bounds. Without, they run in this process (system queries, tests).
   */
  limits?: QueryLimits;
  /** Told about corrupt blocks that builds skip. */
  onSkippedBlock?: ViewCatalogOptions['onSkippedBlock'];
  /** See ViewCatalogOptions (default there). */
  scheduledWindowMs?: number;
}

export async function openLakehouse(options: LakehouseOptions): Promise<Lakehouse> {
  const { metadata, objects, cacheDir, maxCacheBytes, onSkippedBlock, scheduledWindowMs } = options;
  await mkdir(cacheDir, { recursive: true });
  const spill = options.spill ?? defaultSpill(cacheDir);
  const catalog = await createViewCatalog({
    metadata, objects, cacheDir, onSkippedBlock, spill,
    ...(maxCacheBytes === undefined ? {} : { maxCacheBytes }), ...(scheduledWindowMs === undefined ? {} : { scheduledWindowMs }),
  });
  try {
    // Partitions of a file:// lake are read in place; remote ones come through the cache.
    const allowedDirs = objects instanceof FileObjectStore ? [cacheDir, objects.root] : [cacheDir];
    const engine = options.limits
      ? await createWorkerEngine({ ...options.engine, catalog, allowedDirs, spill, limits: options.limits })
      : await createQueryEngine({ ...options.engine, catalog, allowedDirs, spill });
    return {
      catalog,
      engine,
      async close() {
        await engine.close();
        await catalog.close();
      },
    };
  } catch (err) {
    await catalog.close();
    throw err;
  }
}
