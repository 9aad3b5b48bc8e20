/**
 * The maintenance role's settings, read from the environment and checked at start-up like the rest
 * of the configuration (a bad value fails with the variable's name):
 *
 * - MICROMEGAS_RETENTION_DAYS (default 90): telemetry inserted longer ago is deleted.
 * - MICROMEGAS_MAINTENANCE_BATCH_SIZE (default 1000): rows per delete statement.
 * - MICROMEGAS_TAIL_SAMPLING_QUERY (default none: no tail sampling): SQL over the views returning
 *   `process_id`s whose span blocks to keep, e.g.
 *   `SELECT DISTINCT process_id FROM log_entries WHERE level <= 2`.
 * - MICROMEGAS_TAIL_SAMPLING_MIN_AGE_SECONDS (default 3600): span blocks younger than this are not judged yet.
 */
import { ConfigError } from '../config.js';

export interface MaintenanceSettings {
  retentionDays: number;
  batchSize: number;
  tailSampling: { sql: string; minAgeSeconds: number } | undefined;
}

export const DEFAULT_RETENTION_DAYS = 90;

type Env = Record<string, string | undefined>;

function positiveInteger(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new ConfigError(name, raw, `an integer in [1, ${max}]`);
  return value;
}

export function maintenanceSettings(env: Env = process.env): MaintenanceSettings {
  const sql = env['MICROMEGAS_TAIL_SAMPLING_QUERY']?.trim();
  return {
    retentionDays: positiveInteger(env, 'MICROMEGAS_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, 100_000),
    batchSize: positiveInteger(env, 'MICROMEGAS_MAINTENANCE_BATCH_SIZE', 1000, 100_000),
    tailSampling: sql === undefined || sql === ''
      ? undefined
      : { sql, minAgeSeconds: positiveInteger(env, 'MICROMEGAS_TAIL_SAMPLING_MIN_AGE_SECONDS', 3600, 365 * 86_400) },
  };
}

/** Everything inserted before this is expired at `now`. */
export function retentionCutoff(settings: Pick<MaintenanceSettings, 'retentionDays'>, now: Date): Date {
  return new Date(now.getTime() - settings.retentionDays * 86_400_000);
}
