// The recording thread never waits for the SDK worker: when the worker falls behind (here: it is
// still starting while a burst fills every slab the pool may hold), full span slabs are emptied and
// counted, while logs and measures still find the slabs reserved for them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { floatMetric, flush, init, logger, shutdown, sinkStats, spanScope, streamIds } from '@micromegas/tracing';
import { maxSlabs } from '@micromegas/tracing/slab-pool';
import { slabLayout } from '@micromegas/tracing/slab';
import { StubIngestion } from './sdk-stub-ingestion.js';

const stub = new StubIngestion();
after(() => stub.stop());

test('a burst beyond the slab pool drops spans, counted, and keeps logs and measures', async () => {
  const url = await stub.start();
  const blockEvents = 16_384; // big slabs: the pool holds few of them
  init({ url, exe: 'sdk-backpressure-test', blockEvents, flushPeriodMs: 60_000 });
  const ids = streamIds()!;
  const tick = spanScope('tick');
  const pairs = (maxSlabs(slabLayout(blockEvents)) + 4) * (blockEvents / 2);
  for (let i = 0; i < pairs; i++) {
    tick.begin();
    tick.end();
  }
  const burst = sinkStats()!;
  logger('backpressure').info('still here');
  floatMetric('still', 'count').record(1);
  flush();
  assert.ok(burst.droppedEvents > 0 && burst.droppedBlocks > 0, 'span slabs were dropped, and counted');
  assert.equal(burst.droppedEvents % blockEvents, 0, 'whole slabs');
  assert.equal(await shutdown(), true);

  const spans = stub.eventsOf(ids.cpu);
  assert.equal(spans.length + burst.droppedEvents, 2 * pairs, 'delivered + dropped = recorded');
  assert.deepStrictEqual(stub.eventsOf(ids.log).map((e) => e.kind === 'log' && e.msg), ['still here']);
  const measures = stub.eventsOf(ids.metrics).filter((e) => e.kind === 'measure');
  assert.ok(measures.some((e) => e.kind === 'measure' && e.name === 'still'), 'the measure was kept');
  const report = measures.findLast((e) => e.kind === 'measure' && e.name === 'micromegas.dropped_events');
  assert.equal(report?.kind === 'measure' && report.value, burst.droppedEvents, 'the drops are reported as a measure');
});
