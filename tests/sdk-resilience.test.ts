import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { flush, init, logger, processId, shutdown, sinkStats, spanScope, streamIds } from '@micromegas/tracing';
import { StubIngestion } from './sdk-stub-ingestion.js';

const stubs: StubIngestion[] = [];
after(() => Promise.all(stubs.map((s) => s.stop())));

async function startStub(port = 0): Promise<{ stub: StubIngestion; url: string }> {
  const stub = new StubIngestion();
  stubs.push(stub);
  return { stub, url: await stub.start(port) };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const { stub, url } = await startStub();
  await stub.stop();
  return Number(new URL(url).port);
}

async function until(what: string, check: () => boolean): Promise<void> {
  while (!check()) await sleep(20);
  assert.ok(check(), what);
}

test('ingestion down: the SDK never throws, stays under its byte bound, drops spans before logs, and delivers after recovery', async () => {
  const port = await closedPort();
  const maxQueueBytes = 48 * 1024;
  init({ url: `http://127.0.0.1:${port}`, maxQueueBytes, blockEvents: 512, flushPeriodMs: 60_000 });
  const pid = processId()!;
  const ids = streamIds()!;
  const tick = spanScope('tick');
  const log = logger('resilience');
  let logged = 0;
  for (let round = 0; round < 60; round++) {
    for (let i = 0; i < 2000; i++) {
      tick.begin();
      tick.end();
    }
    log.info(`round ${round}`, { round });
    logged++;
    flush();
    assert.ok(sinkStats()!.queuedBytes <= maxQueueBytes, 'queue stays under maxQueueBytes');
    await sleep(1);
  }
  const down = sinkStats()!;
  assert.ok(down.failures > 0, 'delivery was attempted and failed');
  assert.ok(down.droppedEvents > 0 && down.droppedBlocks > 0, 'drops are counted');
  assert.equal(down.sent, 0);

  const { stub } = await startStub(port);
  // Backoff is at most 5 s: delivery resumes on its own.
  await until('queue drained after recovery', () => sinkStats()!.queuedItems === 0);
  const up = sinkStats()!;
  assert.ok(up.sent > 0);
  assert.equal(await shutdown(), true);

  assert.equal(stub.processes[0]?.process_id, pid);
  assert.equal(stub.streams.length, 3, 'metadata is never dropped');
  const logs = stub.eventsOf(ids.log);
  assert.equal(logs.length, logged, 'logs outrank spans: none dropped');
  const spans = stub.eventsOf(ids.cpu);
  assert.ok(spans.length > 0 && spans.length < 60 * 4000, 'some spans delivered, the oldest dropped');
  assert.equal(spans.length + down.droppedEvents, 60 * 4000, 'delivered + dropped = recorded');
  // The report is a running total: a drop while it is in flight is reported again, so the last one counts.
  const report = stub.eventsOf(ids.metrics).findLast((e) => e.kind === 'measure' && e.name === 'micromegas.dropped_events');
  assert.ok(report?.kind === 'measure');
  assert.equal(report.value, up.droppedEvents, 'drops are reported as a measure once delivery resumes');
});

test('5xx is retried until accepted; 4xx is dropped, not retried', async () => {
  const { stub, url } = await startStub();
  stub.failWith = 503;
  init({ url, flushPeriodMs: 60_000 });
  const ids = streamIds()!;
  logger('retry').info('kept through the outage');
  flush();
  await until('a failed attempt', () => sinkStats()!.failures > 0);
  stub.failWith = undefined;
  assert.equal(await shutdown(), true);
  assert.deepStrictEqual(stub.eventsOf(ids.log).map((e) => e.kind === 'log' && e.msg), ['kept through the outage']);

  stub.failWith = 400;
  init({ url, flushPeriodMs: 60_000 });
  logger('retry').info('refused');
  flush();
  await until('the server refused the process, streams and block', () => sinkStats()!.rejected === 5);
  assert.equal(sinkStats()!.failures, 0, 'a 4xx is not retried');
  assert.equal(await shutdown(), true, 'nothing left queued');
});

/** Runs a small instrumented program that never calls shutdown(); resolves to its exit code. */
function runChild(url: string, events: number): Promise<number | null> {
  const script = `
    import { init, logger, spanScope } from '@micromegas/tracing';
    init({ url: ${JSON.stringify(url)}, exe: 'child' });
    const s = spanScope('work');
    for (let i = 0; i < ${events}; i++) { s.begin(); s.end(); }
    logger('child').info('done');
  `;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

test('an app that never calls shutdown() still exits, and its telemetry is flushed at exit', async () => {
  const { stub, url } = await startStub();
  assert.equal(await runChild(url, 1000), 0);
  const proc = stub.processes.find((p) => p.exe === 'child');
  assert.ok(proc, 'process registered');
  const cpu = stub.streams.find((s) => s.process_id === proc.process_id && s.tags.includes('cpu'))!;
  assert.equal(stub.eventsOf(cpu.stream_id).length, 2000);

  // With ingestion down, the exit flush gives up after its short deadline instead of hanging.
  assert.equal(await runChild(`http://127.0.0.1:${await closedPort()}`, 10), 0);
});
