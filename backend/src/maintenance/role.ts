/**
 * The `maintenance` role: the scheduler that keeps the global views materialized and merged, sweeps
 * expired files, and applies retention and tail sampling. Every instance runs it; the leader
 * election lets one act at a time. It has its own lakehouse catalog (and, for tail sampling, its
 * own query engine) over the shared storage.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role, RunningRole } from '../service/role.js';
import type { ServiceContext } from '../service/context.js';
import { FileObjectStore } from '../lake/object-store/file.js';
import { createViewCatalog } from '../views/lakehouse-catalog.js';
import { createQueryEngine } from '../query/duckdb-engine.js';
import type { QueryEngine } from '../query/engine.js';
import { openLeaderElection } from './leader/open.js';
import { maintenanceSettings } from './settings.js';
import { MaintenanceScheduler } from './scheduler/scheduler.js';
import { startSchedulerLoop } from './scheduler/loop.js';
import { formatEvent } from './events.js';
import { queryProcessSelector } from './retention/process-selector.js';

export const role: Role = {
  name: 'maintenance',
  summary: 'materializes and merges global views, applies retention and tail sampling (one active instance per lake)',
  async start(context: ServiceContext): Promise<RunningRole> {
    const { config } = context;
    const settings = maintenanceSettings();
    const metadata = await context.metadata();
    const objects = context.objects();
    const cacheDir = join(config.dataDir, 'cache', 'maintenance');
    await mkdir(cacheDir, { recursive: true });
    const catalog = await createViewCatalog({ metadata, objects, cacheDir });
    let engine: QueryEngine | undefined;
    if (settings.tailSampling !== undefined) {
      const allowedDirs = objects instanceof FileObjectStore ? [cacheDir, objects.root] : [cacheDir];
      engine = await createQueryEngine({ catalog, allowedDirs, adminFunctions: false });
    }
    const log = config.logLevel === 'silent' ? () => {} : (line: string) => console.error(line);
    const election = openLeaderElection(config.lake.metadata, metadata);
    const scheduler = new MaintenanceScheduler({
      election, catalog, db: metadata, objects, settings,
      ...(engine === undefined ? {} : { selector: queryProcessSelector(engine, settings.tailSampling!.sql) }),
      // Quiet when nothing happened: a tick that built nothing is not worth a line.
      onEvent: (e) => { if (e.kind !== 'materialize' || e.partitions > 0) log(formatEvent(e)); },
    });
    const loop = startSchedulerLoop(scheduler, { onError: (err) => log(`maintenance: tick failed: ${err instanceof Error ? err.message : String(err)}`) });
    return {
      name: 'maintenance',
      url: `(no listener; elected by ${election.description})`,
      async stop() {
        await loop.stop();
        await engine?.close();
        await catalog.close();
      },
    };
  },
};
