import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { init, processId, shutdown, span, streamIds } from '@micromegas/tracing';
import type { WireEvent } from '@micromegas/wire';
import { StubIngestion } from './sdk-stub-ingestion.js';
import type { DemoWorkerData } from '../src/demo/worker.js';

const stub = new StubIngestion();
after(() => stub.stop());

/** Checks begin/end pairs nest properly and returns the span names at depth 0. */
function checkNesting(events: WireEvent[]): string[] {
  const stack: string[] = [];
  const roots: string[] = [];
  for (const e of events) {
    if (e.kind === 'spanBegin') {
      if (stack.length === 0) roots.push(e.desc.name);
      stack.push(e.desc.name);
    } else if (e.kind === 'spanEnd') {
      assert.equal(stack.pop(), e.desc.name, 'span end matches the innermost begin');
    }
  }
  assert.equal(stack.length, 0, 'every span closed');
  return roots;
}

test('a worker joins the main thread process and writes its own thread streams', async () => {
  const url = await stub.start();
  init({ url, exe: 'sdk-workers-test', flushPeriodMs: 50 });
  const pid = processId()!;
  const mainIds = streamIds()!;
  span('spawn', () => undefined);

  const workerData: DemoWorkerData = { framesPerSecond: 500, frames: 20 };
  const worker = new Worker(new URL('../src/demo/worker.js', import.meta.url), { workerData });
  // Both listeners up front: a worker's last message and its exit can be emitted back to back.
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const report = await new Promise<{ frames: number; delivered: boolean }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await exited;
  assert.deepStrictEqual(report, { frames: 20, delivered: true });
  span('joined', () => undefined);
  assert.equal(await shutdown(), true);

  assert.equal(stub.processes.length, 1, 'only the main thread registers the process');
  assert.equal(stub.processes[0]!.process_id, pid);
  const workerCpu = stub.streamWithTag('cpu', pid, 'demo-worker');
  const workerLog = stub.streamWithTag('log', pid, 'demo-worker');
  const workerMetrics = stub.streamWithTag('metrics', pid, 'demo-worker');
  assert.ok(workerCpu && workerLog && workerMetrics, 'worker has its own log, metrics and cpu streams');
  assert.notEqual(workerCpu.properties['thread-id'], '0');
  assert.notEqual(workerCpu.stream_id, mainIds.cpu);

  const cpu = stub.eventsOf(workerCpu.stream_id);
  const roots = checkNesting(cpu);
  // The demo loads its level, then runs its frames.
  assert.deepStrictEqual(roots, ['load_level', ...Array(20).fill('frame')]);
  const frameNames = cpu.filter((e) => e.kind === 'spanBegin').slice(1, 6).map((e) => (e as { desc: { name: string } }).desc.name);
  assert.deepStrictEqual(frameNames, ['frame', 'update', 'physics', 'ai', 'render']);

  // Worker ticks are on the main thread's timeline: between the main thread's two spans.
  const mainCpu = stub.eventsOf(mainIds.cpu);
  const spawned = mainCpu.find((e) => e.kind === 'spanEnd')!;
  const joined = mainCpu.filter((e) => e.kind === 'spanBegin').at(-1)!;
  assert.ok(cpu[0]!.ticks > spawned.ticks && cpu.at(-1)!.ticks < joined.ticks, 'worker events between spawn and join');

  const measures = stub.eventsOf(workerMetrics.stream_id).filter((e) => e.kind === 'measure');
  assert.equal(measures.filter((m) => m.name === 'frame_time').length, 20);
  const logs = stub.eventsOf(workerLog.stream_id);
  assert.ok(logs.some((e) => e.kind === 'log' && e.msg === 'worker loop stopped' && e.properties?.['frames'] === '20'));
  const asyncBegins = cpu.filter((e) => e.kind === 'asyncBegin');
  assert.ok(asyncBegins.length > 0 && asyncBegins.every((e) => e.kind === 'asyncBegin' && e.spanId > 2 ** 32), 'worker async span ids carry the thread id');
});
