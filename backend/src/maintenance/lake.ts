/**
 * What maintenance works on, opened from a service context: its own lakehouse catalog (and cache
 * directory) and, when tail sampling is configured, a locked-down query engine over it (admin
 * functions off) to run the selector.
 */
import { mkdir } from 'node:fs/promises';
import type { ServiceContext } from '../service/context.js';
import { createViewCatalog, type LakehouseCatalog } from '../views/lakehouse-catalog.js';
import { openLakehouse } from '../query/lakehouse.js';
import { queryProcessSelector } from './retention/process-selector.js';
import type { ProcessSelector } from './retention/tail-sampling.js';

export interface MaintenanceLake {
  catalog: LakehouseCatalog;
  /** Present when a tail-sampling query was given. */
  selector: ProcessSelector | undefined;
  close(): Promise<void>;
}

export async function openMaintenanceLake(context: ServiceContext, options: { cacheDir: string; tailSamplingSql?: string | undefined }): Promise<MaintenanceLake> {
  const metadata = await context.metadata();
  const objects = context.objects();
  const { spill } = context.config.lake;
  if (options.tailSamplingSql === undefined) {
    await mkdir(options.cacheDir, { recursive: true });
    const catalog = await createViewCatalog({ metadata, objects, cacheDir: options.cacheDir, spill, onSkippedBlock: context.skippedBlocks });
    return { catalog, selector: undefined, close: () => catalog.close() };
  }
  const lake = await openLakehouse({ metadata, objects, cacheDir: options.cacheDir, spill, engine: { adminFunctions: false }, onSkippedBlock: context.skippedBlocks });
  return { catalog: lake.catalog, selector: queryProcessSelector(lake.engine, options.tailSamplingSql), close: () => lake.close() };
}
