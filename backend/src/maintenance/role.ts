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
import { formatEvent, tickLines } from './events.js';
import { recordEventMetrics } from './event-metrics.js';
import { openMaintenanceLake } from './lake.js';
import type { LogLevel } from '../service/self-telemetry.js';

/** The target of maintenance logs in the backend's own telemetry (the maintenance dashboard reads it). */
const MAINTENANCE_LOG_TARGET = 'micromegas::maintenance';

export const role: Role = {
  name: 'maintenance',
  summary: 'materializes and merges global views, applies retention and tail sampling (one active instance per lake)',
  async start(context: ServiceContext): Promise<RunningRole> {
    const { config, telemetry } = context;
    const settings = maintenanceSettings();
    const metadata = await context.metadata();
    const objects = context.objects();
    const lake = await openMaintenanceLake(context, { cacheDir: join(config.dataDir, 'cache', 'maintenance'), tailSamplingSql: settings.tailSampling?.sql });
    const print = config.logLevel === 'silent' ? () => {} : (line: string) => console.error(line);
    const log = (level: LogLevel, line: string) => {
      print(line);
      telemetry.log(level, MAINTENANCE_LOG_TARGET, line);
    };
    const election = openLeaderElection(config.lake.metadata, metadata);
    const scheduler = new MaintenanceScheduler({
      election, catalog: lake.catalog, db: metadata, objects, settings, onEvent: recordEventMetrics(telemetry.metrics),
      ...(lake.selector === undefined ? {} : { selector: lake.selector }),
    });
    const loop = startSchedulerLoop(scheduler, {
      onTick: (events) => {
        // tickLines writes a failed task as formatEvent does. The next tick of its schedule retries
        // it, hence a warning; a whole tick that fails is an error.
        const failures = new Set(events.filter((e) => e.kind === 'failed').map(formatEvent));
        for (const line of tickLines(events)) log(failures.has(line) ? 'warn' : 'info', line);
      },
      onError: (err) => log('error', `maintenance: tick failed: ${err instanceof Error ? err.message : String(err)}`),
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
