/**
 * What one query can do to the server, before and after query workers, in the same run:
 * - the server's peak memory (RSS high-water mark of the server process, plus its query workers)
 *   under string bombs: repeat('x', 2^31 - 1), and three 1 GiB repeat()s at once;
 * - `SELECT 1` latency (p50 / max, one probe every 100 ms) while 20 heavy queries run at once.
 * "before": the engine in the server process with DuckDB's memory_limit only (how main served client
 * queries); "after": the worker engine as the server now configures it by default (2 GB per query,
 * 2 heavy at once, a 64-statement queue, an express worker). Each scenario runs against a fresh
 * FlightSQL server process, so each high-water mark is the scenario's own. Not a test: nothing asserts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { startFlightSqlServer } from '@micromegas/backend/flightsql/index';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine } from '@micromegas/backend/query/engine';
import { StaticViewCatalog } from '@micromegas/backend/query/testing/static-catalog';
import { LOG_ENTRIES } from '@micromegas/backend/query/testing/view-sets';
import { createWorkerEngine } from '@micromegas/backend/query/workers/worker-engine';

type Mode = 'before' | 'after';
const MODES: Mode[] = ['before', 'after'];
const SERVER_ARG = 'query-resources-server';
/** About a second of one core each: 20 of them keep a 2-core machine busy for ~10 s. */
const HEAVY = 'SELECT count(*) AS n FROM range(60000000) t(i) WHERE hash(i) % 7 = 0';

interface Peak { serverMiB: number; workersMiB: number; workers: number }

/** The server side: a FlightSQL server over an empty static catalog, engine as `mode` says. */
async function serve(mode: Mode): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-resources-'));
  const catalog = new StaticViewCatalog([LOG_ENTRIES], dir);
  const engine: QueryEngine = mode === 'before'
    ? await createQueryEngine({ catalog, allowedDirs: [dir], memoryLimit: '2GB' })
    : await createWorkerEngine({
      catalog, allowedDirs: [dir], startWorkers: true,
      limits: { memoryLimit: '2GB', concurrency: 2, maxQueue: 64, timeoutMs: 300_000 },
    });
  const server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0 });
  process.on('message', (message: string) => {
    if (message === 'peak') process.send!(peak());
  });
  process.on('disconnect', () => {
    void server.close().then(() => engine.close()).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  process.send!({ port: server.port });
}

/** High-water marks (VmHWM) of this process and of its children (the query workers). */
function peak(): Peak {
  const hwm = (pid: number | string) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return { serverMiB: hwm(process.pid), workersMiB: children.reduce((sum, pid) => sum + hwm(pid), 0), workers: children.length };
}

/** Starts a server process in `mode`, runs `scenario` against it, returns its result and the peak. */
async function against<T>(mode: Mode, scenario: (client: FlightSQLClient) => Promise<T>): Promise<{ result: T; peak: Peak }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SERVER_ARG, mode], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    });
    const client = new FlightSQLClient({ url: `grpc://127.0.0.1:${port}` });
    try {
      const result = await scenario(client);
      const serverPeak = await new Promise<Peak>((resolve) => { child.once('message', resolve); child.send('peak'); });
      return { result, peak: serverPeak };
    } finally {
      client.close();
    }
  } finally {
    child.disconnect();
    await exited;
  }
}

/** How a query ended: 'ok' or the gRPC status name, and its wall time. */
async function outcome(client: FlightSQLClient, sql: string): Promise<{ end: string; ms: number }> {
  const start = performance.now();
  try {
    await client.query(sql);
    return { end: 'ok', ms: performance.now() - start };
  } catch (error) {
    return { end: (error as { codeName?: string }).codeName ?? 'failed', ms: performance.now() - start };
  }
}

const mib = (n: number) => Math.round(n);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function bombTable(): Promise<void> {
  const bombs = [
    { name: "repeat('x', 2^31 - 1)", times: 1, sql: "SELECT length(repeat('x', 2147483647)) AS n" },
    { name: "3 × repeat('x', 2^30) at once", times: 3, sql: "SELECT length(repeat('x', 1073741824)) AS n" },
  ];
  // The in-process engine runs both forms alike; query workers send a statement without a table to the
  // express worker (small bound) and one with a table to a heavy worker (2 GB + headroom: the worst case).
  const forms: { mode: Mode; lane: string; suffix: string }[] = [
    { mode: 'before', lane: '(in process)', suffix: '' },
    { mode: 'after', lane: 'express', suffix: '' },
    { mode: 'after', lane: 'heavy', suffix: ' FROM range(1)' },
  ];
  const rows = [];
  for (const bomb of bombs) {
    for (const { mode, lane, suffix } of forms) {
      const { result, peak: p } = await against(mode, (c) => Promise.all(Array.from({ length: bomb.times }, () => outcome(c, bomb.sql + suffix))));
      rows.push({
        bomb: bomb.name + suffix, engine: mode, lane, outcome: [...new Set(result.map((r) => r.end))].join(', '),
        's (slowest)': seconds(Math.max(...result.map((r) => r.ms))),
        'server peak MiB': mib(p.serverMiB), 'workers peak MiB (sum)': mib(p.workersMiB), 'total MiB': mib(p.serverMiB + p.workersMiB),
      });
    }
  }
  console.log('Peak memory under string bombs (VmHWM; the workers\' marks summed, an upper bound of their peak together):');
  console.table(rows);
}

async function latencyTable(): Promise<void> {
  const rows = [];
  for (const mode of MODES) {
    const { result } = await against(mode, async (client) => {
      await outcome(client, 'SELECT 1 AS one'); // connection and workers warm
      let running = true;
      const start = performance.now();
      const heavy = Promise.all(Array.from({ length: 20 }, () => outcome(client, HEAVY))).finally(() => { running = false; });
      const probes: number[] = [];
      while (running) {
        probes.push((await outcome(client, 'SELECT 1 AS one')).ms);
        await new Promise((r) => setTimeout(r, 100));
      }
      const ends = await heavy;
      return { probes, heavyMs: performance.now() - start, ends };
    });
    const sorted = [...result.probes].sort((a, b) => a - b);
    rows.push({
      engine: mode, probes: sorted.length, 'SELECT 1 p50 ms': Math.round(sorted[sorted.length >> 1]!), 'SELECT 1 max ms': Math.round(sorted.at(-1)!),
      'all 20 heavy done s': seconds(result.heavyMs), 'heavy outcomes': [...new Set(result.ends.map((e) => e.end))].join(', '),
    });
  }
  console.log(`SELECT 1 while 20 heavy queries run at once (${HEAVY}):`);
  console.table(rows);
}

export async function run(): Promise<void> {
  await latencyTable();
  await bombTable();
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === SERVER_ARG) {
  await serve(process.argv[3] as Mode);
}
