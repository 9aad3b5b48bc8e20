/**
 * The `maintenance` role: the scheduler that keeps the global views materialized and merged, sweeps
 * expired files, and applies retention and tail sampling. Every instance runs it; the leader
 * election lets one act at a time.
 */
import { join } from 'node:path';
import type { Role, RunningRole } from '../service/role.js';
import type { ServiceContext } from '../service/context.js';
import { openLeaderElection } from './leader/open.js';
import { maintenanceSettings } from './settings.js';
import { MaintenanceScheduler } from './scheduler/scheduler.js';
import { startSchedulerLoop } from './scheduler/loop.js';
import { tickLines } from './events.js';
import { openMaintenanceLake } from './lake.js';

export const role: Role = {
  name: 'maintenance',
  summary: 'materializes and merges global views, applies retention and tail sampling (one active instance per lake)',
  async start(context: ServiceContext): Promise<RunningRole> {
    const { config } = context;
    const settings = maintenanceSettings();
    const metadata = await context.metadata();
    const objects = context.objects();
    const lake = await openMaintenanceLake(context, { cacheDir: join(config.dataDir, 'cache', 'maintenance'), tailSamplingSql: settings.tailSampling?.sql });
    const log = config.logLevel === 'silent' ? () => {} : (line: string) => console.error(line);
    const election = openLeaderElection(config.lake.metadata, metadata);
    const scheduler = new MaintenanceScheduler({
      election, catalog: lake.catalog, db: metadata, objects, settings,
      ...(lake.selector === undefined ? {} : { selector: lake.selector }),
    });
    const loop = startSchedulerLoop(scheduler, {
      onTick: (events) => { for (const line of tickLines(events)) log(line); },
      onError: (err) => log(`maintenance: tick failed: ${err instanceof Error ? err.message : String(err)}`),
    });
    return {
      name: 'maintenance',
      url: `(no listener; elected by ${election.description})`,
      async stop() {
        await loop.stop();
        await lake.close();
      },
    };
  },
};
