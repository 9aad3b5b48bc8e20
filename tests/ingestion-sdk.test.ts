/**
 * The SDK records a scripted workload and sends it over loopback to a real ingestion service; what
 * the lake then holds (metadata rows, payload objects decoded with the wire decoder) must be exactly
 * what was recorded: every log, measure and span, every process and stream field.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { decodeBlockEvents, type WireEvent } from '@micromegas/wire';
import * as tracing from '@micromegas/tracing';
import { readBlockPayload } from '@micromegas/backend/lake/telemetry/payload';
import type { BlockRow } from '@micromegas/backend/lake/telemetry/records';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';
import { startIngestion, storageMatrix, type IngestionUnderTest } from './ingestion-fixtures.js';

type Props = Record<string, string>;
interface ExpectedLog { level: number; target: string; msg: string; properties?: Props }
interface ExpectedMeasure { name: string; unit: string; target: string; value: number; properties?: Props }
/** A thread span as the test opened it: name, depth (0 = outermost) and children. */
interface SpanTree { name: string; children: SpanTree[] }

const LEVEL_CALLS = [tracing.fatal, tracing.error, tracing.warn, tracing.info, tracing.debug, tracing.trace];

/** Busy-waits a few microseconds so that a span's end is strictly after its begin. */
function work(): void {
  const until = performance.now() + 0.005;
  while (performance.now() < until);
}

/** Records logs, measures, nested thread spans and async spans; returns what a reader must find. */
async function recordWorkload(rounds: number) {
  const logs: ExpectedLog[] = [];
  const measures: ExpectedMeasure[] = [];
  const spans: SpanTree[] = [];
  const frameTime = tracing.intMetric('frame_time', 'ns', 'game::loop');
  const load = tracing.floatMetric('load', 'ratio', 'game::loop');
  const net = tracing.logger('game::net');
  for (let round = 0; round < rounds; round++) {
    LEVEL_CALLS.forEach((call, i) => {
      const properties = round % 2 === 0 ? { round: String(round), level: String(i + 1) } : undefined;
      call('game::loop', `round ${round} level ${i + 1} ✓`, properties);
      logs.push({ level: i + 1, target: 'game::loop', msg: `round ${round} level ${i + 1} ✓`, ...(properties && { properties }) });
    });
    net.warn(`packet loss ${round}%`, { peer: `10.0.0.${round % 256}`, retries: round });
    logs.push({ level: 3, target: 'game::net', msg: `packet loss ${round}%`, properties: { peer: `10.0.0.${round % 256}`, retries: String(round) } });

    frameTime.record(16_666_667 + round);
    measures.push({ name: 'frame_time', unit: 'ns', target: 'game::loop', value: 16_666_667 + round });
    load.record(round / 7, { gpu: 'yes' });
    measures.push({ name: 'load', unit: 'ratio', target: 'game::loop', value: round / 7, properties: { gpu: 'yes' } });
    frameTime.record(-round - 1);
    measures.push({ name: 'frame_time', unit: 'ns', target: 'game::loop', value: -round - 1 });

    tracing.span('frame', () => {
      tracing.span('update', () => {
        tracing.span('physics', work);
        tracing.span('ai', work);
      });
      tracing.span('render', work);
    });
    spans.push({ name: 'frame', children: [
      { name: 'update', children: [{ name: 'physics', children: [] }, { name: 'ai', children: [] }] },
      { name: 'render', children: [] },
    ] });
  }
  // async spans carried across awaits: request → (db, cache) in parallel
  await tracing.asyncSpan('request', async () => {
    await Promise.all([
      tracing.asyncSpan('db', async () => { await new Promise((r) => setTimeout(r, 2)); }),
      tracing.asyncSpan('cache', async () => { await new Promise((r) => setImmediate(r)); }),
    ]);
  });
  return { logs, measures, spans };
}

/** Every event of a stream, in order, after checking the blocks tile the stream. */
async function streamEvents(db: MetadataStore, objects: ObjectStore, streamId: string, epochNs: bigint): Promise<WireEvent[]> {
  const blocks = await db.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE stream_id = $1 ORDER BY object_offset', [streamId]);
  const events: WireEvent[] = [];
  let offset = 0;
  for (const block of blocks) {
    assert.equal(Number(block.object_offset), offset, 'blocks are contiguous');
    assert.ok(block.begin_ticks <= block.end_ticks);
    assert.equal(block.begin_time_ns - BigInt(block.begin_ticks), epochNs, 'begin_time and begin_ticks agree');
    assert.equal(block.end_time_ns - BigInt(block.end_ticks), epochNs, 'end_time and end_ticks agree');
    const decoded = decodeBlockEvents(await readBlockPayload(objects, block), block);
    assert.equal(decoded.length, block.nb_objects, 'nb_objects counts the events');
    for (const event of decoded) {
      assert.ok(event.ticks >= Number(block.begin_ticks) && event.ticks <= Number(block.end_ticks), 'event within its block');
    }
    events.push(...decoded);
    offset += block.nb_objects;
  }
  return events;
}

/** Rebuilds the span forest from begin/end events, checking depth order and begin < end. */
function spanForest(events: WireEvent[]): SpanTree[] {
  const roots: SpanTree[] = [];
  const open: { node: SpanTree; ticks: number }[] = [];
  for (const event of events) {
    if (event.kind === 'spanBegin') {
      const node: SpanTree = { name: event.desc.name, children: [] };
      (open.at(-1)?.node.children ?? roots).push(node);
      open.push({ node, ticks: event.ticks });
    } else if (event.kind === 'spanEnd') {
      const top = open.pop();
      assert.ok(top, `end of ${event.desc.name} without a begin`);
      assert.equal(event.desc.name, top.node.name, 'ends close the innermost open span');
      assert.ok(top.ticks < event.ticks, `${top.node.name}: begin < end`);
    }
  }
  assert.equal(open.length, 0, 'every span ended');
  return roots;
}

for (const storage of storageMatrix) {
  describe(`SDK → ingestion → ${storage.name}`, () => {
    let it_: IngestionUnderTest;
    before(async () => { it_ = await startIngestion(storage.metadata, storage.objects); });
    after(async () => { await it_.close(); });

    it('stores exactly what the SDK recorded', async () => {
      const properties = { suite: storage.name, build: '42' };
      // Small blocks so that every stream spans several of them.
      tracing.init({ url: it_.url, exe: 'ingestion-sdk-test', properties, flushPeriodMs: 20, blockEvents: 64 });
      const processId = tracing.processId()!;
      const streamIds = tracing.streamIds()!;
      const expected = await recordWorkload(40);
      assert.equal(await tracing.shutdown(), true, 'everything delivered');

      const db = it_.db.store;
      const [p] = await db.query('SELECT * FROM processes WHERE process_id = $1', [processId]);
      assert.ok(p, 'process recorded');
      assert.equal(p['exe'], 'ingestion-sdk-test');
      assert.equal(p['username'], os.userInfo().username);
      assert.equal(p['computer'], os.hostname());
      assert.equal(p['distro'], `${os.type()} ${os.release()}`);
      assert.equal(p['cpu_brand'], os.cpus()[0]?.model ?? '');
      assert.equal(p['tsc_frequency'], 1_000_000_000);
      assert.equal(p['parent_process_id'], process.env['MICROMEGAS_TELEMETRY_PARENT_PROCESS'] ?? '');
      assert.deepEqual(p['properties'], Object.entries(properties).map(([key, value]) => ({ key, value })));
      // ticks count ns from this process's performance time origin, so the start time is exact
      const epochNs = p['start_time_ns'] as bigint - BigInt(p['start_ticks'] as number);
      assert.equal(epochNs, BigInt(Math.round(performance.timeOrigin * 1e6)));

      const streams = await db.query('SELECT * FROM streams WHERE process_id = $1', [processId]);
      assert.equal(streams.length, 3);
      for (const [tag, id] of [['log', streamIds.log], ['metrics', streamIds.metrics], ['cpu', streamIds.cpu]] as const) {
        const s = streams.find((row) => row['stream_id'] === id);
        assert.ok(s, `${tag} stream recorded`);
        assert.deepEqual(s['tags'], [tag]);
        assert.deepEqual(s['properties'], [{ key: 'thread-id', value: '0' }, { key: 'thread-name', value: 'main' }]);
        assert.ok((s['objects_metadata'] as Uint8Array).length > 0);
      }

      const logs = await streamEvents(db, it_.os.store, streamIds.log, epochNs);
      assert.deepEqual(logs.map((e) => {
        assert.equal(e.kind, 'log');
        const { level, target, msg, properties: props } = e as Extract<WireEvent, { kind: 'log' }>;
        return { level, target, msg, ...(props && { properties: props }) };
      }), expected.logs);

      const measures = await streamEvents(db, it_.os.store, streamIds.metrics, epochNs);
      assert.deepEqual(measures.map((e) => {
        assert.equal(e.kind, 'measure');
        const { name, unit, target, value, properties: props } = e as Extract<WireEvent, { kind: 'measure' }>;
        return { name, unit, target, value, ...(props && { properties: props }) };
      }), expected.measures);

      const cpu = await streamEvents(db, it_.os.store, streamIds.cpu, epochNs);
      assert.deepEqual(spanForest(cpu), expected.spans);
      const asyncEvents = cpu.filter((e): e is Extract<WireEvent, { kind: 'asyncBegin' | 'asyncEnd' }> => e.kind === 'asyncBegin' || e.kind === 'asyncEnd');
      const byName = new Map(asyncEvents.filter((e) => e.kind === 'asyncBegin').map((e) => [e.desc.name, e]));
      const request = byName.get('request')!;
      assert.equal(request.depth, 0);
      assert.equal(request.parentSpanId, 0);
      for (const child of ['db', 'cache']) {
        assert.equal(byName.get(child)?.parentSpanId, request.spanId, `${child} is a child of request`);
        assert.equal(byName.get(child)?.depth, 1);
      }
      for (const begin of byName.values()) {
        const end = asyncEvents.find((e) => e.kind === 'asyncEnd' && e.spanId === begin.spanId);
        assert.ok(end && begin.ticks < end.ticks, `${begin.desc.name}: begin < end`);
      }
      assert.equal(asyncEvents.length, 6);
    });
  });
}
