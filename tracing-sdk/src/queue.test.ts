import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryQueue, Priority, type Item } from './queue.js';

function item(priority: Priority, bytes: number, events = 1): Item {
  return { priority, path: `/p${priority}`, body: new Uint8Array(bytes), events };
}

test('items come out by priority, oldest first within a priority', () => {
  const q = new DeliveryQueue(1 << 20);
  const spans = item(Priority.Spans, 10);
  const logs1 = item(Priority.Logs, 10);
  const logs2 = item(Priority.Logs, 10);
  const meta = item(Priority.Metadata, 10, 0);
  for (const i of [spans, logs1, logs2, meta]) q.push(i);
  const order: Item[] = [];
  for (let next = q.peek(); next !== undefined; next = q.peek()) {
    order.push(next);
    q.remove(next);
  }
  assert.deepStrictEqual(order, [meta, logs1, logs2, spans]);
  assert.equal(q.byteLength, 0);
});

test('over the bound, the oldest lowest-priority items go first; metadata and the item in flight stay', () => {
  const q = new DeliveryQueue(100);
  const meta = item(Priority.Metadata, 30, 0);
  const oldSpans = item(Priority.Spans, 30, 7);
  const newSpans = item(Priority.Spans, 30, 5);
  const metrics = item(Priority.Metrics, 30, 3);
  q.push(meta);
  q.push(oldSpans);
  q.inFlight.add(oldSpans);
  q.push(newSpans);
  q.push(metrics); // 120 bytes: one span block must go, but not the one on the wire
  assert.equal(q.byteLength, 90);
  assert.deepStrictEqual(q.dropped, { blocks: 1, events: 5, bytes: 30 });
  q.inFlight.clear();
  q.push(item(Priority.Logs, 40, 2)); // 130 bytes: dropping the spans block is enough
  assert.equal(q.byteLength, 100);
  assert.deepStrictEqual(q.dropped, { blocks: 2, events: 12, bytes: 60 });
  q.push(item(Priority.Logs, 20, 2)); // 120 bytes: no spans left, the metrics block goes
  assert.equal(q.byteLength, 90);
  assert.deepStrictEqual(q.dropped, { blocks: 3, events: 15, bytes: 90 });
  assert.equal(q.peek(), meta);
});

test('metadata is kept even when it alone exceeds the bound', () => {
  const q = new DeliveryQueue(10);
  q.push(item(Priority.Metadata, 50, 0));
  assert.equal(q.size, 1);
  assert.equal(q.dropped.blocks, 0);
});

test('blocks come out together by priority, within the count and byte limits; metadata alone', () => {
  const q = new DeliveryQueue(1 << 20);
  const meta = item(Priority.Metadata, 10, 0);
  const spans = item(Priority.Spans, 10);
  const logs = item(Priority.Logs, 10);
  const metrics1 = item(Priority.Metrics, 10);
  const metrics2 = item(Priority.Metrics, 10);
  for (const i of [spans, meta, logs, metrics1, metrics2]) q.push(i);
  assert.deepStrictEqual(q.peekBlocks(64, 1000), [meta]);
  q.remove(meta);
  assert.deepStrictEqual(q.peekBlocks(64, 1000), [logs, metrics1, metrics2, spans]);
  assert.deepStrictEqual(q.peekBlocks(2, 1000), [logs, metrics1]);
  assert.deepStrictEqual(q.peekBlocks(64, 25), [logs, metrics1]);
  // The first item goes even when it alone is over the byte limit.
  assert.deepStrictEqual(q.peekBlocks(64, 5), [logs]);
});
