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
import { recordEventMetrics } from './event-metrics.js';
import { openMaintenanceLake } from './lake.js';
import type { LogLevel } from '../service/self-telemetry.js';

/** The target of maintenance logs in the backend's own telemetry (the maintenance dashboard reads it). */
const MAINTENANCE_LOG_TARGET = 'micromegas::maintenance';
/** Most to least severe; a log level outside them (silent) prints nothing. */
const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export const role: Role = {
  name: 'maintenance',
  summary: 'materializes and merges global views, applies retention and tail sampling (one active instance per lake)',
  async start(context: ServiceContext): Promise<RunningRole> {
    const { config, telemetry } = context;
    const settings = maintenanceSettings();
    const metadata = await context.metadata();
    const objects = context.objects();
    const lake = await openMaintenanceLake(context, { cacheDir: join(config.dataDir, 'cache', 'maintenance'), tailSamplingSql: settings.tailSampling?.sql });
    // The console gets what the log level lets through (the every-second line is debug); the lake gets every line.
    const threshold = LEVELS.indexOf(config.logLevel as LogLevel);
    const log = (level: LogLevel, line: string) => {
      if (LEVELS.indexOf(level) <= threshold) console.error(line);
      telemetry.log(level, MAINTENANCE_LOG_TARGET, line);
    };
    const election = openLeaderElection(config.lake.metadata, metadata);
    const scheduler = new MaintenanceScheduler({
      election, catalog: lake.catalog, db: metadata, objects, settings, onEvent: recordEventMetrics(telemetry.metrics),
      ownProcessId: () => telemetry.processId(),
      ...(lake.selector === undefined ? {} : { selector: lake.selector }),
    });
    const loop = startSchedulerLoop(scheduler, {
      onTick: (events) => { for (const line of tickLines(events)) log(line.level, line.text); },
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
