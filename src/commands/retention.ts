import { join } from 'node:path';
import { parseOptions, UsageError, type Command } from '../command.js';
import { ConfigError, loadConfig } from '@micromegas/backend/config';
import { createContext } from '@micromegas/backend/service/context';
import { maintenanceSettings, retentionCutoff, type MaintenanceSettings } from '@micromegas/backend/maintenance/settings';
import { applyRetention, type RetentionReport } from '@micromegas/backend/maintenance/retention/retention';
import { applyTailSampling, type TailSamplingReport } from '@micromegas/backend/maintenance/retention/tail-sampling';
import { openMaintenanceLake, type MaintenanceLake } from '@micromegas/backend/maintenance/lake';

/** A status line redrawn in place on a terminal; nothing when stderr is a pipe or a file. */
function statusLine(): { show(text: string): void; finish(): void } {
  const tty = process.stderr.isTTY === true;
  let width = 0;
  return {
    show(text) {
      if (!tty) return;
      process.stderr.write(`\r${text.padEnd(width)}`);
      width = Math.max(width, text.length);
    },
    finish() {
      if (width > 0) process.stderr.write('\n');
      width = 0;
    },
  };
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function retentionSummary(r: RetentionReport): string {
  const rows: [string, number, string][] = [
    ['blocks', r.blocks, bytes(r.blockBytes)],
    ['streams', r.streams, ''],
    ['processes', r.processes, ''],
    ['partitions', r.partitions, bytes(r.partitionBytes)],
    ['files', r.files, 'expired files due now'],
  ];
  const head = `retention${r.dryRun ? ' (dry run: nothing changed)' : ''}: telemetry inserted before ${r.cutoff.toISOString()}`;
  return [head, ...rows.map(([name, n, note]) => `  ${name.padEnd(11)} ${String(n).padStart(10)}  ${note}`.trimEnd())].join('\n');
}

function tailSamplingSummary(r: TailSamplingReport): string {
  return `tail sampling${r.dryRun ? ' (dry run: nothing changed)' : ''}: ${r.candidates} processes judged, ${r.kept} kept, `
    + `${r.dropped} dropped: ${r.blocks} span blocks (${bytes(r.bytes)}), ${r.partitions} partitions retired`;
}

export const command: Command = {
  summary: 'delete expired telemetry (and unselected spans, with tail sampling configured); --dry-run reports only',
  usage: 'micromegas retention [--dry-run] [--days N]\n'
    + '  --days defaults to $MICROMEGAS_RETENTION_DAYS or 90; tail sampling runs when $MICROMEGAS_TAIL_SAMPLING_QUERY is set',
  async run(args) {
    const values = parseOptions(args, { 'dry-run': { type: 'boolean', default: false }, days: { type: 'string' } });
    let config;
    let settings: MaintenanceSettings;
    try {
      config = loadConfig();
      settings = maintenanceSettings(values.days === undefined ? process.env : { ...process.env, MICROMEGAS_RETENTION_DAYS: values.days });
    } catch (err) {
      if (err instanceof ConfigError) {
        if (err.variable === 'MICROMEGAS_RETENTION_DAYS' && values.days !== undefined) throw new UsageError(`--days: ${err.message}`);
        console.error(`micromegas retention: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const dryRun = values['dry-run'] === true;
    const now = new Date();
    const context = createContext(config);
    let lake: MaintenanceLake | undefined;
    const status = statusLine();
    try {
      const metadata = await context.metadata();
      const report = await applyRetention(metadata, context.objects(), {
        cutoff: retentionCutoff(settings, now), now, batchSize: settings.batchSize, dryRun,
        onProgress: (step, done) => status.show(`retention: ${step} ${done}`),
      });
      status.finish();
      console.log(retentionSummary(report));
      if (settings.tailSampling !== undefined) {
        lake = await openMaintenanceLake(context, { cacheDir: join(config.dataDir, 'cache', 'cli'), tailSamplingSql: settings.tailSampling.sql });
        const sampling = await applyTailSampling(metadata, {
          olderThan: new Date(now.getTime() - settings.tailSampling.minAgeSeconds * 1000), now, select: lake.selector!,
          batchSize: settings.batchSize, dryRun, onProgress: (done) => status.show(`tail sampling: span blocks ${done}`),
        });
        status.finish();
        console.log(tailSamplingSummary(sampling));
      }
      return 0;
    } finally {
      await lake?.close();
      await context.close();
    }
  },
};
