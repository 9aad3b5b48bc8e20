/**
 * Fleet soak: P simulated game processes at SDK defaults (one block per stream per second, three
 * streams each) through the HTTP API into one `micromegas start` with every role, while a dashboard
 * queries over FlightSQL every 3 s; on PGlite and on PostgreSQL. Prints what the backend sustains and
 * what it costs per block and per event (CPU from /proc, and where it goes: main thread, libuv pool,
 * other threads, query workers, PostgreSQL), ingest and query latency (all panels, and each statement), freshness, RSS and objects written. `FLEET_MODE=idle` runs the backend with no client instead and prints its RSS,
 * CPU and object writes minute by minute.
 *
 * Knobs: FLEET_PROCESSES (list, default 100,300), FLEET_SECONDS (measured, default 60), FLEET_WARMUP
 * (default 15), FLEET_METADATA (pglite,postgres), FLEET_CLIENTS (client processes, default 1),
 * FLEET_DASHBOARD_SECONDS (period, default 3; 0 for none), FLEET_IDLE_MINUTES (default 10), FLEET_CLI (the cli.js to start: another build, for a before/after),
 * FLEET_CPU_PROF (directory for the backend's V8 CPU profile), FLEET_ROLES (e.g. ingestion: one role's cost alone), FLEET_TIMELINE_SECONDS (a row per interval: cores,
 * RSS, partition files, query latency and freshness; for soaks), FLEET_BATCH (1, default: a process's three blocks
 * of a second in one insert_blocks request, as the SDK sends them; 0: a request per block, as before).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles, startBackend, type Backend, type MetadataKind } from './fleet-backend.js';
import type { ClientReport } from './fleet-client.js';
import { runClients } from './fleet-clients.js';
import { startDashboard } from './fleet-dashboard.js';
import { startTimeline } from './fleet-timeline.js';
import { cpuSince, cpuTotal } from './proc-stats.js';
import { metadataTables } from './fleet-tables.js';
import { EVENTS_PER_PROCESS_SECOND } from './fleet-blocks.js';

const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const PROCESSES = env('FLEET_PROCESSES', '100,300').split(',').map(Number);
const SECONDS = Number(env('FLEET_SECONDS', '60'));
const WARMUP = Number(env('FLEET_WARMUP', '15'));
const METADATA = env('FLEET_METADATA', 'pglite,postgres').split(',') as MetadataKind[];
const CLIENTS = Number(env('FLEET_CLIENTS', '1'));
const BATCH = env('FLEET_BATCH', '1') !== '0';
const IDLE_MINUTES = Number(env('FLEET_IDLE_MINUTES', '10'));
const CLI = env('FLEET_CLI', fileURLToPath(new URL('../src/cli.js', import.meta.url)));
const CPU_PROF = process.env['FLEET_CPU_PROF'];
/** The roles `micromegas start` runs (default all); without flightsql there is no dashboard. */
const ROLES = process.env['FLEET_ROLES']?.split(',').map((r) => r.trim()).filter(Boolean);
/** Prints a row per interval of the measured window (0: none); for soaks. */
const TIMELINE_MS = 1000 * Number(env('FLEET_TIMELINE_SECONDS', '0'));
/** 0: no dashboard (what ingestion and maintenance cost alone). */
const DASHBOARD_PERIOD_MS = 1000 * Number(env('FLEET_DASHBOARD_SECONDS', '3'));

const MB = 1024 * 1024;
const load = () => loadavg()[0]!.toFixed(1);
const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (v: number) => (Number.isNaN(v) ? '—' : v >= 10_000 ? `${(v / 1000).toFixed(0)} s` : `${v.toFixed(0)}`);


/** Accumulates the paths ever seen under `dir`: written objects, even those deleted meanwhile. */
function objectWatcher(dir: string, periodMs: number) {
  const seen = new Set<string>();
  let baseline = 0;
  const scan = async () => { for (const path of await listFiles(dir)) seen.add(path); };
  const timer = setInterval(() => void scan(), periodMs);
  return {
    async mark() { await scan(); baseline = seen.size; },
    async written() { await scan(); return seen.size - baseline; },
    stop() { clearInterval(timer); },
  };
}

async function withBackend<T>(metadata: MetadataKind, use: (backend: Backend, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-fleet-'));
  const backend = await startBackend({ cli: CLI, metadata, dataDir, ...(CPU_PROF ? { cpuProfDir: CPU_PROF } : {}), ...(ROLES ? { roles: ROLES } : {}) });
  try {
    return await use(backend, dataDir);
  } finally {
    await backend.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function fleetPoint(metadata: MetadataKind, processes: number) {
  return withBackend(metadata, async (backend, dataDir) => {
    const dashboard = DASHBOARD_PERIOD_MS > 0 && (ROLES === undefined || ROLES.includes('flightsql')) ? startDashboard(backend.flightsqlPort, DASHBOARD_PERIOD_MS) : undefined;
    const partitions = objectWatcher(join(backend.objectsDir, 'views'), 5000);
    // Block payloads: an object per block (`blobs/`, before packs) or per pack (`packs/`).
    const payloads = [objectWatcher(join(backend.objectsDir, 'blobs'), 5000), objectWatcher(join(backend.objectsDir, 'packs'), 5000)];
    const rss: number[] = [];
    const sampler = setInterval(() => void backend.rssBytes().then((b) => rss.push(b)), 10_000);
    let go!: () => void;
    const going = new Promise<void>((resolve) => { go = resolve; });
    const clients = runClients(backend.ingestionUrl, { processes, clients: CLIENTS, warmupSeconds: WARMUP, seconds: SECONDS, batch: BATCH }, go);
    // The measured window opens after the warm-up, as the clients' does.
    await going;
    await new Promise((resolve) => setTimeout(resolve, 500 + WARMUP * 1000));
    await Promise.all([partitions, ...payloads].map((w) => w.mark()));
    const timeline = TIMELINE_MS > 0 ? startTimeline(backend, TIMELINE_MS, () => partitions.written(), dashboard?.report) : undefined;
    await timeline?.start();
    const cpu0 = await backend.cpuSeconds();
    const t0 = performance.now();
    const rssStart = await backend.rssBytes();
    const reports = await clients;
    const seconds = (performance.now() - t0) / 1000;
    const used = cpuSince(cpu0, await backend.cpuSeconds());
    const cpu = cpuTotal(used);
    const partitionFiles = await partitions.written();
    const payloadObjects = (await Promise.all(payloads.map((w) => w.written()))).reduce((a, b) => a + b, 0);
    const rssEnd = await backend.rssBytes();
    clearInterval(sampler);
    const intervals = timeline?.stop();
    for (const w of [partitions, ...payloads]) w.stop();
    const board = await dashboard?.stop() ?? { queryMs: [], byPanel: new Map<string, number[]>(), freshnessMs: [], errors: [] };
    const sum = (f: (r: ClientReport) => number) => reports.reduce((n, r) => n + f(r), 0);
    const blocks = sum((r) => r.blocks);
    const latencies = reports.flatMap((r) => r.latenciesMs);
    if (intervals !== undefined) {
      console.log(`\n${metadata}, ${processes} processes, every ${TIMELINE_MS / 1000} s:`);
      console.table(intervals);
    }
    const row = {
      metadata, processes, requests: BATCH ? 'insert_blocks' : 'insert_block',
      'ev/s offered': `${((processes * EVENTS_PER_PROCESS_SECOND) / 1000).toFixed(0)} k`,
      'ev/s done': `${(sum((r) => r.events) / seconds / 1000).toFixed(0)} k`,
      'blocks/s': (blocks / seconds).toFixed(0),
      'backend cores': (cpu / seconds).toFixed(2),
      'ms CPU/block': ((cpu * 1000) / blocks).toFixed(2),
      'µs CPU/event': ((cpu * 1e6) / sum((r) => r.events)).toFixed(2),
      'procs/core': ((blocks / 3) / cpu).toFixed(0),
      'ingest p50/p99 ms': `${ms(pct(latencies, 50))} / ${ms(pct(latencies, 99))}`,
      'query p50/p90 ms': `${ms(pct(board.queryMs, 50))} / ${ms(pct(board.queryMs, 90))}`,
      'fresh p50/p90/max ms': `${ms(pct(board.freshnessMs, 50))} / ${ms(pct(board.freshnessMs, 90))} / ${ms(Math.max(...board.freshnessMs))}`,
      'RSS MB start→max→end': `${(rssStart / MB).toFixed(0)}→${(Math.max(...rss) / MB).toFixed(0)}→${(rssEnd / MB).toFixed(0)}`,
      'objects/s': ((payloadObjects + partitionFiles) / seconds).toFixed(0),
      'payload objects/s': (payloadObjects / seconds).toFixed(0),
      'partition files/s': (partitionFiles / seconds).toFixed(1),
      'client cores': (sum((r) => r.cpuSeconds) / seconds).toFixed(2),
      'late/failed': `${sum((r) => r.lateSends)}/${sum((r) => r.failures)}`,
      'query errors': board.errors.length === 0 ? '' : `${board.errors.length}: ${board.errors[0]!.slice(0, 60)}`,
      load: load(),
    };
    const perBlock = (seconds: number) => ((seconds * 1000) / blocks).toFixed(3);
    const breakdown = { metadata, processes, ...Object.fromEntries([...used].map(([category, seconds]) => [category, perBlock(seconds)])), total: perBlock(cpu) };
    const panels = { metadata, processes, ...Object.fromEntries([...board.byPanel].map(([panel, values]) => [panel, `${ms(pct(values, 50))} / ${ms(pct(values, 90))}`])) };
    const tables = (await metadataTables(backend, dataDir)).map((t) => ({ metadata, processes, ...t }));
    return { row, breakdown, panels, tables };
  });
}

async function idle(metadata: MetadataKind) {
  return withBackend(metadata, async (backend) => {
    // A minute to settle (start-up, leadership, the first ticks) before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const objects = objectWatcher(backend.objectsDir, 10_000);
    await objects.mark();
    const cpu0 = await backend.cpuSeconds();
    const rss0 = await backend.rssBytes();
    const t0 = performance.now();
    const rows = [];
    for (let minute = 1; minute <= IDLE_MINUTES; minute++) {
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      const seconds = (performance.now() - t0) / 1000;
      rows.push({
        metadata, minute,
        'RSS MB': ((await backend.rssBytes()) / MB).toFixed(0),
        'CPU % (since start)': ((100 * cpuTotal(cpuSince(cpu0, await backend.cpuSeconds()))) / seconds).toFixed(1),
        'objects written/min (since start)': (((await objects.written()) * 60) / seconds).toFixed(1),
        load: load(),
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
    objects.stop();
    return { rss0, rows };
  });
}

export async function run(): Promise<void> {
  console.log(`backend: ${CLI}`);
  if (env('FLEET_MODE', 'load') === 'idle') {
    for (const metadata of METADATA) {
      const { rss0, rows } = await idle(metadata);
      console.log(`\nIdle ${metadata}: RSS ${(rss0 / MB).toFixed(0)} MB one minute after start, then:`);
      console.table(rows);
    }
    return;
  }
  console.log(`Fleet: ${EVENTS_PER_PROCESS_SECOND} events/process/s in 3 blocks (60 fps × 6 nested spans, 3 measures/frame, 3 logs/s); `
    + `${WARMUP} s warm-up then ${SECONDS} s measured; ${CLIENTS} client process(es); dashboard every ${DASHBOARD_PERIOD_MS / 1000} s; `
    + (BATCH ? 'a process\'s blocks of a second in one insert_blocks request' : 'a request per block (insert_block)'));
  const rows = [];
  const breakdowns = [];
  const panels = [];
  const tables = [];
  for (const metadata of METADATA) {
    for (const processes of PROCESSES) {
      const point = await fleetPoint(metadata, processes);
      rows.push(point.row);
      breakdowns.push(point.breakdown);
      panels.push(point.panels);
      tables.push(...point.tables);
      for (const line of [point.row, point.breakdown, point.panels]) console.log(JSON.stringify(line));
    }
  }
  console.table(rows);
  console.log('Backend CPU by where it goes, ms per block (main: the backend\'s main thread; libuv pool: its libuv threadpool (fs, DuckDB queries, zlib); '
    + 'thread <name>: its other threads (on Node 20, all named node: V8 platform workers, DuckDB\'s own threads); ended threads: threads gone meanwhile; child processes: query workers; postgres: its database backends):');
  console.table(breakdowns);
  if (DASHBOARD_PERIOD_MS > 0) {
    console.log('Dashboard statements, p50 / p90 ms (each over the last 5 minutes; the newest log over the last minute):');
    console.table(panels);
  }
  console.log('Metadata tables at the end (KiB with indexes; live: rows counted; dead: as the statistics count them; vacuums: VACUUMs run; both lost when PGlite stops):');
  console.table(tables);
  console.log('backend cores: CPU of `micromegas start` (+ its query workers and PostgreSQL backends) over the measured window; procs/core = blocks per CPU second / 3; '
    + 'objects/s = new payload objects (one per block, or per pack) + new partition files; late = sends the client itself issued > 200 ms late');
}
