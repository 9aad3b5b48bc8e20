/**
 * Ingestion down for a while: the SDK keeps recording without throwing, holds its queue under the
 * byte bound by dropping the lowest priority first, and once ingestion is back delivers what it
 * kept, with the drop count, so that every recorded event is either stored or counted as dropped.
 *
 * The test seals blocks itself (flush()) instead of by timer: a block sealed while the queue drains
 * (the drop report itself, sealed into a queue still at its bound) may legitimately evict a span
 * block or be evicted, which reports the running total a second time or counts the SDK's own
 * measures as dropped. Sealing nothing during the drain makes the expected counts exact.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeBlockEvents, type WireEvent } from '@micromegas/wire';
import * as tracing from '@micromegas/tracing';
import { readBlockPayload } from '@micromegas/backend/lake/telemetry/payload';
import type { BlockRow } from '@micromegas/backend/lake/telemetry/records';
import { startIngestion, storageMatrix, type IngestionUnderTest } from './ingestion-fixtures.js';

const MAX_QUEUE_BYTES = 32 * 1024;
/** Longer than the test: only the test's flush() calls seal blocks. */
const NO_TIMER_FLUSH_MS = 3_600_000;
const DROP_MEASURES = new Set(['micromegas.dropped_events', 'micromegas.dropped_blocks']);

/** A loopback port nothing listens on yet (the OS picks it; ingestion takes it later). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const storage = storageMatrix.find((s) => s.name === 'pglite + file')!;

describe('SDK while ingestion is down', () => {
  let it_: IngestionUnderTest | undefined;
  after(async () => { await it_?.close(); });

  it('stays under its byte bound, never throws, and delivers the queue once ingestion is back', async () => {
    const port = await unusedPort();
    tracing.init({ url: `http://127.0.0.1:${port}`, flushPeriodMs: NO_TIMER_FLUSH_MS, blockEvents: 128, maxQueueBytes: MAX_QUEUE_BYTES });
    const processId = tracing.processId()!;
    const streamIds = tracing.streamIds()!;
    const log = tracing.logger('outage');
    const sentLogs: string[] = [];
    let spanPairs = 0;
    let maxQueued = 0;

    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 100; i++) {
        const msg = `round ${round} message ${i}: the quick brown fox jumps over the lazy dog`;
        log.info(msg);
        sentLogs.push(msg);
        tracing.span('tick', () => {});
        spanPairs++;
      }
      tracing.flush();
      await sleep(5); // lets the sender fail and back off
      maxQueued = Math.max(maxQueued, tracing.sinkStats()!.queuedBytes);
    }
    const down = tracing.sinkStats()!;
    assert.ok(maxQueued <= MAX_QUEUE_BYTES, `queue peaked at ${maxQueued} bytes`);
    assert.ok(down.failures > 0, 'delivery was attempted and failed');
    assert.ok(down.droppedEvents > 0, 'the bound made the sink drop blocks');
    assert.equal(down.sent, 0);

    it_ = await startIngestion(storage.metadata, storage.objects, { MICROMEGAS_INGESTION_PORT: String(port) });
    await until(() => tracing.sinkStats()!.queuedItems === 0, 20_000, 'the queue to drain');
    const recovered = tracing.sinkStats()!;
    assert.equal(recovered.droppedEvents, down.droppedEvents, 'nothing sealed during the drain, so nothing more dropped');
    log.info('after recovery');
    sentLogs.push('after recovery');
    assert.equal(await tracing.shutdown(), true);

    const db = it_.db.store;
    assert.equal((await db.query('SELECT 1 FROM processes WHERE process_id = $1', [processId])).length, 1);
    assert.equal((await db.query('SELECT 1 FROM streams WHERE process_id = $1', [processId])).length, 3);

    const eventsOf = async (streamId: string): Promise<WireEvent[]> => {
      const blocks = await db.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE stream_id = $1 ORDER BY object_offset', [streamId]);
      const events: WireEvent[] = [];
      for (const block of blocks) events.push(...decodeBlockEvents(await readBlockPayload(it_!.os.store, block)));
      return events;
    };
    const logs = (await eventsOf(streamIds.log)).map((e) => (e as Extract<WireEvent, { kind: 'log' }>).msg);
    const spans = await eventsOf(streamIds.cpu);
    const measures = (await eventsOf(streamIds.metrics)) as Extract<WireEvent, { kind: 'measure' }>[];

    // what arrived is what was sent, in order, without duplicates: whole blocks were dropped, nothing else
    let cursor = 0;
    for (const msg of logs) {
      cursor = sentLogs.indexOf(msg, cursor);
      assert.ok(cursor >= 0, `delivered log '${msg}' was sent, in this order, once`);
      cursor++;
    }
    assert.equal(logs.at(-1), 'after recovery');
    // lowest priority first: spans lost at least as large a share as logs
    assert.ok(spans.length / (2 * spanPairs) <= logs.length / sentLogs.length, 'spans dropped before logs');

    const dropReport = measures.filter((m) => m.name === 'micromegas.dropped_events');
    assert.equal(dropReport.length, 1, 'drops reported once delivery resumed');
    assert.equal(dropReport[0]!.value, recovered.droppedEvents);
    const userMeasures = measures.filter((m) => !DROP_MEASURES.has(m.name)).length;
    const recorded = sentLogs.length + 2 * spanPairs;
    assert.equal(logs.length + spans.length + userMeasures + recovered.droppedEvents + recovered.lostEvents, recorded,
      'every recorded event is stored or counted as dropped');
  });
});
