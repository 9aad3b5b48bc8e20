#!/usr/bin/env node
// Test fixture: a Micromegas backend (ingestion + FlightSQL on loopback, free ports, temp data dir)
// fed by the tracing SDK with a known workload. Prints one JSON line describing what it holds, then
// serves until stdin closes. Runs the workspaces' compiled dist (build them with `npx tsc -b`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tracing from '@micromegas/tracing';
import { loadConfig } from '@micromegas/backend/config';
import { startServices } from '@micromegas/backend/service/services';

const dataDir = await mkdtemp(join(tmpdir(), 'mm-grafana-plugin-'));
const config = {
  ...loadConfig({ MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent' }),
  flightsql: { host: '127.0.0.1', port: 0 },
};
const services = await startServices(config, ['ingestion', 'flightsql']);
const urlOf = (name) => services.running.find((r) => r.name === name).url;

/** Busy-waits so that spans have a measurable duration. */
function work(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

const begin = new Date();
tracing.init({ url: urlOf('ingestion'), exe: 'plugin-e2e-game', flushPeriodMs: 100 });
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
const end = new Date();

process.stdout.write(
  JSON.stringify({
    flightsql: urlOf('flightsql'),
    delivered,
    processId,
    cpuStream: streams.cpu,
    begin: begin.getTime() - 1000,
    end: end.getTime() + 1000,
    rounds: ROUNDS,
  }) + '\n',
);

const stop = async () => {
  await services.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);
