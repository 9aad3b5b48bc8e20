import { join } from 'node:path';
import { parseOptions, UsageError, type Command } from '../command.js';
import { ConfigError, loadConfig } from '@micromegas/backend/config';
import { createContext } from '@micromegas/backend/service/context';
import { openMaintenanceLake, type MaintenanceLake } from '@micromegas/backend/maintenance/lake';
import { backfill } from '@micromegas/backend/maintenance/backfill';
import { parseTimeOptions } from './query-time.js';

const BAR_WIDTH = 30;

/** A progress bar redrawn in place on a terminal; nothing when stderr is a pipe or a file. */
function progressBar(label: string): { update(done: number, total: number, detail: string): void; finish(): void } {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  return {
    update(done, total, detail) {
      if (!tty) return;
      const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${detail}`);
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

export const command: Command = {
  summary: 'build a global view\'s partitions over a time range (backfill)',
  usage: 'micromegas materialize --view V --begin T --end T [--delta SECONDS]\n'
    + '  T: now, a duration back from now (30m, 1h, 2d) or RFC 3339 (insert time); --delta: partition width (default 3600)',
  async run(args) {
    const values = parseOptions(args, { view: { type: 'string' }, begin: { type: 'string' }, end: { type: 'string' }, delta: { type: 'string', default: '3600' } });
    if (values.view === undefined || values.begin === undefined || values.end === undefined) throw new UsageError('--view, --begin and --end are required');
    const deltaSeconds = Number(values.delta);
    if (!Number.isSafeInteger(deltaSeconds) || deltaSeconds < 1) throw new UsageError(`--delta '${values.delta}': expected a positive whole number of seconds`);
    const { begin, end } = parseTimeOptions(values, new Date()) as { begin: Date; end: Date };
    if (begin >= end) throw new UsageError(`--begin (${begin.toISOString()}) must be before --end (${end.toISOString()})`);

    let config;
    try {
      config = loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) { console.error(`micromegas materialize: ${err.message}`); return 2; }
      throw err;
    }
    const context = createContext(config);
    let lake: MaintenanceLake | undefined;
    try {
      const metadata = await context.metadata();
      lake = await openMaintenanceLake(context, { cacheDir: join(config.dataDir, 'cache', 'cli') });
      const { catalog } = lake;
      const set = catalog.viewSets().find((s) => s.name === values.view);
      if (set === undefined || !set.hasGlobal) {
        const globals = catalog.viewSets().filter((s) => s.hasGlobal).map((s) => s.name).sort();
        throw new UsageError(`--view '${values.view}': expected a view set with a global instance: ${globals.join(', ')}`);
      }
      const bar = progressBar(`materialize ${set.name}`);
      const report = await backfill(catalog, metadata, {
        viewSet: set.name, begin, end, deltaSeconds,
        onProgress: (p) => bar.update(p.windowsDone, p.windows, `windows, ${p.partitions} partitions built`),
      });
      bar.finish();
      console.log(`materialized ${set.name} [${report.begin.toISOString()}, ${report.end.toISOString()}) in partitions of ${deltaSeconds} s: `
        + `${report.partitions} built (the rest up to date), ${report.rows} rows, ${report.seconds.toFixed(1)} s`);
      return 0;
    } finally {
      await lake?.close();
      await context.close();
    }
  },
};
