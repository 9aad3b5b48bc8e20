import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  asyncSpan, asyncSpanScope, currentAsyncSpanId, error, floatMetric, imetric, init, intMetric, logger, processId,
  shutdown, sinkStats, span, spanScope, streamIds, warn,
} from '@micromegas/tracing';
import { StubIngestion } from './sdk-stub-ingestion.js';
import type { WireEvent } from '@micromegas/wire';

const stub = new StubIngestion();
after(() => stub.stop());

function kindsOf(events: WireEvent[]): string[] {
  return events.map((e) => e.kind);
}

test('SDK delivers process, streams and every event exactly as recorded', async () => {
  const url = await stub.start();
  // Small blocks so the run spans several blocks, each decoded on its own by the stub.
  init({ url, exe: 'sdk-events-test', properties: { build: '42' }, blockEvents: 16, flushPeriodMs: 60_000 });
  const pid = processId()!;
  const ids = streamIds()!;

  const log = logger('game.loop');
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
  levels.forEach((level, i) => log[level](`message ${i}`));
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  log.info('with properties', { player: 'p1', score: 12, alive: true, pos: { x: 1 }, cyclic });
  warn('other.target', 'free-form');
  error('other.target', 'failed', { code: 'E1' });

  const frames = intMetric('frames', 'count', 'game');
  const fps = floatMetric('fps', 'hz');
  frames.record(1);
  frames.record(-5, { region: 'eu' });
  fps.record(59.94);
  imetric('entities', 'count', 2 ** 40);
  frames.record(0.5); // not an integer: goes out as a float measure

  const frame = spanScope('frame', { target: 'game' });
  for (let i = 0; i < 10; i++) {
    frame.run(() => {
      span('physics', () => span('collide', () => undefined));
      span('render', () => undefined);
    });
  }

  const work = asyncSpanScope('request', { target: 'net' });
  const seen: number[] = [];
  await work.run(async () => {
    seen.push(currentAsyncSpanId());
    await asyncSpan('db', async () => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(currentAsyncSpanId());
    });
    seen.push(currentAsyncSpanId());
  });
  assert.equal(currentAsyncSpanId(), 0);

  assert.equal(await shutdown(), true);
  assert.equal(sinkStats(), undefined);

  // Process and streams
  assert.equal(stub.processes.length, 1);
  const proc = stub.processes[0]!;
  assert.equal(proc.process_id, pid);
  assert.equal(proc.exe, 'sdk-events-test');
  assert.equal(proc.tsc_frequency, 1e9);
  assert.deepStrictEqual(proc.properties, { build: '42' });
  assert.equal(proc.parent_process_id, '');
  assert.match(proc.start_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  assert.deepStrictEqual(stub.streams.map((s) => s.stream_id).sort(), [ids.log, ids.metrics, ids.cpu].sort());
  for (const s of stub.streams) {
    assert.equal(s.process_id, pid);
    assert.equal(s.properties['thread-name'], 'main');
  }
  assert.deepStrictEqual(stub.streams.find((s) => s.stream_id === ids.cpu)!.tags, ['cpu']);

  // Blocks: offsets contiguous, ticks within the block, block times after process start.
  for (const streamId of [ids.log, ids.metrics, ids.cpu]) {
    const blocks = stub.blocks.filter((b) => b.block.stream_id === streamId).sort((a, b) => a.block.object_offset - b.block.object_offset);
    let offset = 0;
    for (const { block, events } of blocks) {
      assert.equal(block.object_offset, offset);
      assert.equal(block.nb_objects, events.length);
      assert.ok(block.begin_ticks >= proc.start_ticks && block.begin_ticks <= block.end_ticks);
      for (const e of events) assert.ok(e.ticks >= block.begin_ticks && e.ticks <= block.end_ticks, 'event inside its block');
      offset += events.length;
    }
  }

  const logs = stub.eventsOf(ids.log);
  assert.deepStrictEqual(
    logs.map((e) => (e.kind === 'log' ? [e.level, e.target, e.msg, e.properties] : e.kind)),
    [
      ...levels.map((_, i) => [i + 1, 'game.loop', `message ${i}`, undefined]),
      [4, 'game.loop', 'with properties', { player: 'p1', score: '12', alive: 'true', pos: '{"x":1}', cyclic: '[object Object]' }],
      [3, 'other.target', 'free-form', undefined],
      [2, 'other.target', 'failed', { code: 'E1' }],
    ],
  );

  const measures = stub.eventsOf(ids.metrics);
  assert.deepStrictEqual(
    measures.map((e) => (e.kind === 'measure' ? [e.name, e.unit, e.target, e.value, e.properties] : e.kind)),
    [
      ['frames', 'count', 'game', 1, undefined],
      ['frames', 'count', 'game', -5, { region: 'eu' }],
      ['fps', 'hz', 'sdk-events.test', 59.94, undefined],
      ['entities', 'count', 'sdk-events.test', 2 ** 40, undefined],
      ['frames', 'count', 'game', 0.5, undefined],
    ],
  );

  const cpu = stub.eventsOf(ids.cpu);
  const thread = cpu.filter((e) => e.kind === 'spanBegin' || e.kind === 'spanEnd');
  assert.equal(thread.length, 10 * 8);
  const oneFrame = ['+frame', '+physics', '+collide', '-collide', '-physics', '+render', '-render', '-frame'];
  assert.deepStrictEqual(
    thread.slice(0, 8).map((e) => (e.kind === 'spanBegin' ? '+' : '-') + (e as { desc: { name: string } }).desc.name),
    oneFrame,
  );
  const firstFrame = thread[0]!;
  assert.ok(firstFrame.kind === 'spanBegin');
  assert.equal(firstFrame.desc.target, 'game');
  assert.match(firstFrame.desc.filename, /sdk-events\.test\.js$/);
  assert.ok(firstFrame.desc.line > 0);
  for (let i = 1; i < cpu.length; i++) assert.ok(cpu[i]!.ticks >= cpu[i - 1]!.ticks, 'cpu events in time order');

  const asyncEvents = cpu.filter((e) => e.kind === 'asyncBegin' || e.kind === 'asyncEnd');
  assert.deepStrictEqual(kindsOf(asyncEvents), ['asyncBegin', 'asyncBegin', 'asyncEnd', 'asyncEnd']);
  const [outerBegin, innerBegin, innerEnd, outerEnd] = asyncEvents as Extract<WireEvent, { kind: 'asyncBegin' | 'asyncEnd' }>[];
  assert.equal(outerBegin!.desc.name, 'request');
  assert.equal(outerBegin!.parentSpanId, 0);
  assert.equal(outerBegin!.depth, 0);
  assert.equal(innerBegin!.desc.name, 'db');
  assert.equal(innerBegin!.parentSpanId, outerBegin!.spanId);
  assert.equal(innerBegin!.depth, 1);
  assert.equal(innerEnd!.spanId, innerBegin!.spanId);
  assert.equal(outerEnd!.spanId, outerBegin!.spanId);
  assert.deepStrictEqual(seen, [outerBegin!.spanId, innerBegin!.spanId, outerBegin!.spanId]);
});
