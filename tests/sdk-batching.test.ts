/**
 * The SDK sends a flush tick's blocks of its log, metrics and thread streams in one insert_blocks
 * request, after the metadata; against a service without insert_blocks it sends one block a request.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { flush, imetric, init, logger, shutdown, sinkStats, span, streamIds } from '@micromegas/tracing';
import { StubIngestion } from './sdk-stub-ingestion.js';

const stub = new StubIngestion();
let url: string;
before(async () => { url = await stub.start(); });
after(() => stub.stop());

const BLOCK = '/ingestion/insert_block';
const BLOCKS = '/ingestion/insert_blocks';

/** Records an event in each of the three streams and flushes: one tick's worth. */
function tick(i: number): void {
  logger('batching').info(`tick ${i}`);
  imetric('ticks', 'count', i);
  span('tick', () => undefined);
  flush();
}

/** Starts the SDK and waits until its process and streams are delivered; the requests from then on. */
async function sent(items: number): Promise<void> {
  while (sinkStats()!.sent < items) await sleep(10);
}

async function started(): Promise<() => string[]> {
  init({ url, exe: 'sdk-batching-test', flushPeriodMs: 60_000 });
  await sent(4);
  const from = stub.requests.length;
  return () => stub.requests.slice(from);
}

test('a flush sends the blocks of the three streams in one request', async () => {
  const requests = await started();
  const ids = streamIds()!;
  tick(1);
  await sent(4 + 3);
  tick(2);
  assert.equal(await shutdown(), true);
  assert.deepEqual(requests(), [BLOCKS, BLOCKS]);
  for (const stream of [ids.log, ids.metrics, ids.cpu]) {
    assert.equal(stub.blocks.filter((b) => b.block.stream_id === stream).length, 2);
  }
  assert.deepEqual(stub.eventsOf(ids.log).map((e) => e.kind === 'log' && e.msg), ['tick 1', 'tick 2']);
});

test('against a service without insert_blocks, the SDK sends one block a request from then on, losing nothing', async () => {
  stub.olderService = true;
  const requests = await started();
  const ids = streamIds()!;
  tick(1);
  tick(2);
  assert.equal(await shutdown(), true);
  assert.deepEqual(requests(), [BLOCKS, BLOCK, BLOCK, BLOCK, BLOCK, BLOCK, BLOCK]);
  assert.deepEqual(stub.eventsOf(ids.log).map((e) => e.kind === 'log' && e.msg), ['tick 1', 'tick 2']);
  assert.equal(stub.eventsOf(ids.cpu).length, 4);
});
