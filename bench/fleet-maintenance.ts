/**
 * What the maintenance costs per block, alone and exactly: the fleet's blocks are ingested first
 * (`micromegas start --roles ingestion`, PostgreSQL), then this process replays the scheduler over
 * those seconds tick by tick (every second tick, the minute ticks that merge them, then the hour tick) with the
 * build under test, and reports the CPU it took (this process by thread, and its PostgreSQL
 * backends) per block, and by view set (this process's). No wall clock is involved, so a loaded
 * machine changes no figure but time.
 *
 * Knobs: MAINT_PROCESSES (default 300), MAINT_SECONDS (ingested, default 20), MAINT_CLI (the cli.js
 * whose build is replayed, default this one; e.g. /work/base/dist/src/cli.js for a before/after),
 * MAINT_CPU_PROF=1 (profile the replay: run node with --cpu-prof instead, this only marks phases).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { listFiles, startBackend } from './fleet-backend.js';
import { runClients } from './fleet-clients.js';
import { cpuSince, cpuTotal, libuvPoolThreads, processSetCpu, treeCpuBreakdown } from './proc-stats.js';

const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const PROCESSES = Number(env('MAINT_PROCESSES', '300'));
const SECONDS = Number(env('MAINT_SECONDS', '20'));
const CLI = env('MAINT_CLI', fileURLToPath(new URL('../src/cli.js', import.meta.url)));
/** The repository root of that build: its backend's compiled modules are under backend/dist. */
const ROOT = dirname(dirname(dirname(CLI)));
const backendModule = (path: string) => import(pathToFileURL(join(ROOT, 'backend', 'dist', path)).href);

const dbCpu = processSetCpu();

/** CPU seconds by category: this process's threads and the PostgreSQL backends named `application`. */
async function cpuNow(admin: pg.Client, application: string, libuvPool: ReadonlySet<number>): Promise<Map<string, number>> {
  const pids = (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [application])).rows.map((r) => r.pid);
  const cpu = await treeCpuBreakdown(process.pid, libuvPool);
  cpu.set('postgres', await dbCpu(pids));
  return cpu;
}


export async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-maint-'));
  const backend = await startBackend({ cli: CLI, metadata: 'postgres', dataDir, roles: ['ingestion'] });
  try {
    console.log(`replaying ${ROOT}: ${PROCESSES} processes × ${SECONDS} s ingested, then the scheduler's ticks over them`);
    await runClients(backend.ingestionUrl, { processes: PROCESSES, clients: 1, warmupSeconds: 0, seconds: SECONDS, batch: true }, () => {});
    await backend.halt();
    const { connectionString, schema } = backend.postgres!;
    const application = `mm-replay-${schema}`;
    const { openMetadataStore } = await backendModule('lake/metadata/open.js');
    const { openObjectStore } = await backendModule('lake/object-store/open.js');
    const { createViewCatalog } = await backendModule('views/lakehouse-catalog.js');
    const { MaintenanceScheduler } = await backendModule('maintenance/scheduler/scheduler.js');
    const db = await openMetadataStore({ kind: 'postgres', connectionString: `${connectionString}?application_name=${application}`, schema });
    const objects = openObjectStore(pathToFileURL(backend.objectsDir).href);
    const catalog = await createViewCatalog({ metadata: db, objects, cacheDir: join(dataDir, 'cache', 'replay') });
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      const [span] = (await db.query(`SELECT count(*)::int8 AS blocks, floor(extract(epoch FROM min(insert_time)))::int8 AS first,
        floor(extract(epoch FROM max(insert_time)))::int8 AS last FROM blocks`)) as { blocks: number; first: number; last: number }[];
      const { blocks, first, last } = span!;
      const failures: string[] = [];
      /**
       * Wall seconds and this process's CPU (ms per block) of each view set's materialization, by
       * schedule: where a tick's time goes. The CPU is this process's since the previous event
       * (view sets run one after another), without PostgreSQL's.
       */
      const viewSeconds = new Map<string, Record<string, number | string>>();
      let cpuMark = process.cpuUsage();
      const scheduler = new MaintenanceScheduler({
        election: { description: 'replay', lead: async () => true, release: async () => {} },
        catalog, db, objects, settings: { retentionDays: 3650, batchSize: 1000, tailSampling: undefined },
        onEvent: (e: { kind: string; error?: Error; schedule?: string; viewSet?: string; seconds?: number }) => {
          const cpu = process.cpuUsage(cpuMark);
          cpuMark = process.cpuUsage();
          if (e.kind === 'failed') failures.push(String(e.error?.message));
          if (e.kind !== 'materialize' || e.viewSet === undefined || e.schedule === undefined) return;
          const row = viewSeconds.get(e.viewSet) ?? { 'view set': e.viewSet };
          const add = (column: string, value: number) => { row[column] = Number(row[column] ?? 0) + value; };
          add(`${e.schedule} ticks, wall s`, e.seconds ?? 0);
          add(`${e.schedule} ticks, ms CPU/block`, (cpu.user + cpu.system) / 1000 / blocks);
          viewSeconds.set(e.viewSet, row);
        },
      });
      const libuvPool = await libuvPoolThreads(process.pid);
      const partitionsBefore = (await listFiles(join(backend.objectsDir, 'views'))).length;
      const phase = async (name: string, ticks: number[]) => {
        const before = await cpuNow(admin, application, libuvPool);
        const started = performance.now();
        for (const t of ticks) {
          cpuMark = process.cpuUsage();
          await scheduler.runOnce(new Date(t * 1000 + 5));
        }
        const used = cpuSince(before, await cpuNow(admin, application, libuvPool));
        const total = cpuTotal(used);
        const perBlock = (s: number) => ((s * 1000) / blocks).toFixed(3);
        return { phase: name, ticks: ticks.length, 'wall s': ((performance.now() - started) / 1000).toFixed(1), 'ms CPU/block': perBlock(total),
          ...Object.fromEntries([...used].map(([k, s]) => [k, perBlock(s)])) };
      };
      const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
      // A tick every second until the finest schedule (up to 10 s wide) covered the ingested seconds;
      // the first one starts the lead and ticks every schedule once, untimed.
      await scheduler.runOnce(new Date((first + 1) * 1000 + 5));
      const rows = [await phase('second ticks', range(first + 2, last + 21, 1))];
      const partitionsAfterSeconds = (await listFiles(join(backend.objectsDir, 'views'))).length;
      // The minute ticks whose windows cover those seconds (window [M − 2 min, M − 1 min)).
      const firstMinute = Math.floor(first / 60) * 60 + 120;
      rows.push(await phase('minute ticks', range(firstMinute, Math.floor(last / 60) * 60 + 120, 60)));
      // The hour tick merging those minutes (it runs 120 s after the hour): a fleet pays it every hour
      // for every row again, which a soak of minutes never shows.
      rows.push(await phase('hour tick', [Math.floor(last / 3600) * 3600 + 3600 + 120]));
      console.table(rows);
      const shown = (k: string, v: number | string) => (typeof v === 'string' ? v : v.toFixed(k.endsWith('block') ? 3 : 2));
      console.table([...viewSeconds.values()].map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, shown(k, v)]))));
      console.log(`${blocks} blocks; partition files written: ${partitionsAfterSeconds - partitionsBefore} by second ticks; failures: ${failures.length === 0 ? 'none' : failures.slice(0, 3).join(' | ')}`);
    } finally {
      await admin.end();
      await catalog.close();
      await db.close();
    }
  } finally {
    await backend.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
