#!/usr/bin/env node
// Test fixture: a real Micromegas backend, `micromegas start` with every role (ingestion, maintenance,
// FlightSQL, gateway) on loopback, free ports and a temp data dir, fed first by the tracing SDK with a
// known workload (exe `plugin-e2e-game`), then by `micromegas demo` (exe `micromegas-demo`: a 60 fps
// game loop on two threads, as a user runs it); the backend also records its own maintenance (exe
// `micromegas`), which the maintenance dashboard shows. Prints one JSON line describing what it holds
// once all are queryable, then serves until stdin closes. Runs the workspaces' compiled dist (build
// them with `npx tsc -b`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tracing from '@micromegas/tracing';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
/** How long the backend may take to ingest and serve its own first telemetry on a busy machine. */
const WAIT_MS = 60_000;
/** How long the demo runs: 60 frames a second on each of its two threads. */
const DEMO_SECONDS = 2;

const dataDir = await mkdtemp(join(tmpdir(), 'mm-grafana-plugin-'));
// The range the fixture reports starts before the backend: its own startup telemetry (leadership) is
// in it, and its first maintenance tick (retention, sweep) runs while its other roles still start.
const started = Date.now();
const backend = spawn(process.execPath, [CLI, 'start'], {
  env: {
    ...process.env, MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent', MICROMEGAS_INGESTION_PORT: '0',
    MICROMEGAS_FLIGHTSQL_HOST: '127.0.0.1', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const exited = once(backend, 'exit');
const stop = async () => {
  backend.kill('SIGINT');
  await exited;
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);

/** The role addresses `micromegas start` prints, read up to its self-telemetry line (printed last). */
const urls = {};
for await (const line of createInterface({ input: backend.stdout })) {
  const match = /^micromegas: (\w+)\s+listening on (\S+)/.exec(line);
  if (match) urls[match[1]] = match[2];
  if (line.startsWith('micromegas: self-telemetry')) break;
}

/** Busy-waits so that spans have a measurable duration. */
function work(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

/** Rows of `sql` through the gateway, over [since, now + 1 min). */
async function query(sql, since) {
  const response = await fetch(`${urls.gateway}/api/query`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql, begin: new Date(since).toISOString(), end: new Date(Date.now() + 60_000).toISOString() }),
  });
  if (response.status !== 200) throw new Error(`gateway: ${response.status} ${await response.text()}`);
  return response.json();
}

tracing.init({ url: urls.ingestion, exe: 'plugin-e2e-game', flushPeriodMs: 100 });
const frameTime = tracing.floatMetric('frame_time', 'ms', 'game::loop');
const players = tracing.intMetric('players', 'count', 'game::net');
const ROUNDS = 20;
for (let round = 0; round < ROUNDS; round++) {
  tracing.info('game::loop', `frame ${round} done`);
  if (round % 5 === 0) {
    tracing.error('game::net', `connection lost (round ${round})`);
  }
  if (round % 2 === 0) {
    tracing.warn('game::net', `latency spike ${round}`);
  }
  frameTime.record(16 + (round % 3));
  players.record(100 + round);
  tracing.span('frame', () => {
    tracing.span('update', () => tracing.span('physics', () => work(0.2)));
    tracing.span('render', () => work(0.3));
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const processId = tracing.processId();
const streams = tracing.streamIds();
const delivered = await tracing.shutdown();

/** `micromegas demo` against this backend; resolves with its process id once it exited having delivered all. */
async function runDemo() {
  const demo = spawn(process.execPath, [CLI, 'demo', '--duration', String(DEMO_SECONDS), '--url', urls.ingestion], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const demoExited = once(demo, 'exit');
  let demoProcess;
  for await (const line of createInterface({ input: demo.stdout })) {
    demoProcess ??= /^micromegas demo: process (\S+) sending/.exec(line)?.[1];
  }
  const [code] = await demoExited;
  if (code !== 0 || !demoProcess) throw new Error(`micromegas demo exited with ${code} (process ${demoProcess})`);
  return demoProcess;
}
const demoBegin = Date.now();
const demoProcess = await runDemo();
const demoEnd = Date.now();

// The backend's own maintenance telemetry (a tick's measures and log line) is queryable.
const deadline = Date.now() + WAIT_MS;
for (;;) {
  const [row] = await query(`SELECT (SELECT count(*) FROM measures WHERE exe = 'micromegas' AND name = 'maintenance_task_duration')
    * (SELECT count(*) FROM measures WHERE exe = 'micromegas' AND name = 'maintenance_leader')
    * (SELECT count(*) FROM log_entries WHERE exe = 'micromegas' AND target = 'micromegas::maintenance') AS n`, started - 1000);
  if (Number(row?.n ?? 0) > 0) break;
  if (Date.now() > deadline) throw new Error(`the backend's own telemetry was not queryable within ${WAIT_MS} ms`);
  await new Promise((resolve) => setTimeout(resolve, 250));
}

const demoStreams = await query(
  `SELECT stream_id, property_get(properties, 'thread-name') AS thread FROM streams WHERE process_id = '${demoProcess}' AND list_contains(tags, 'cpu')`,
  demoBegin - 1000,
);

process.stdout.write(
  JSON.stringify({
    flightsql: urls.flightsql,
    delivered,
    processId,
    cpuStream: streams.cpu,
    begin: started - 1000,
    end: Date.now() + 1000,
    rounds: ROUNDS,
    demo: {
      processId: demoProcess,
      begin: demoBegin,
      end: demoEnd,
      cpuStreams: Object.fromEntries(demoStreams.map((s) => [s.thread, s.stream_id])),
    },
  }) + '\n',
);
