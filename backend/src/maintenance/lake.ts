/**
 * What maintenance works on, opened from a service context: its own lakehouse catalog (and cache
 * directory) and, when tail sampling is configured, a query engine over it to run the selector.
 */
import { mkdir } from 'node:fs/promises';
import type { ServiceContext } from '../service/context.js';
import { FileObjectStore } from '../lake/object-store/file.js';
import { createViewCatalog, type LakehouseCatalog } from '../views/lakehouse-catalog.js';
import { createQueryEngine } from '../query/duckdb-engine.js';
import { queryProcessSelector } from './retention/process-selector.js';
import type { ProcessSelector } from './retention/tail-sampling.js';

export interface MaintenanceLake {
  catalog: LakehouseCatalog;
  /** Present when a tail-sampling query was given. */
  selector: ProcessSelector | undefined;
  close(): Promise<void>;
}

export async function openMaintenanceLake(context: ServiceContext, options: { cacheDir: string; tailSamplingSql?: string | undefined }): Promise<MaintenanceLake> {
  const objects = context.objects();
  await mkdir(options.cacheDir, { recursive: true });
  const catalog = await createViewCatalog({ metadata: await context.metadata(), objects, cacheDir: options.cacheDir });
  if (options.tailSamplingSql === undefined) return { catalog, selector: undefined, close: () => catalog.close() };
  try {
    // Partitions of a file:// lake are read in place; remote ones come through the cache.
    const allowedDirs = objects instanceof FileObjectStore ? [options.cacheDir, objects.root] : [options.cacheDir];
    const engine = await createQueryEngine({ catalog, allowedDirs, adminFunctions: false });
    return {
      catalog,
      selector: queryProcessSelector(engine, options.tailSamplingSql),
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
