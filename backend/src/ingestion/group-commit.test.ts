import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('writes a lone item at once and coalesces items written together or during a write', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map(() => undefined);
    }, { maxItems: 100 });
    await commit.write(0);
    await Promise.all([1, 2, 3, 4].map((i) => commit.write(i)));
    const five = commit.write(5);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([five, commit.write(6), commit.write(7)]);
    assert.deepEqual(batches, [[0], [1, 2, 3, 4], [5], [6, 7]]);
  });

  it('with a minimum interval, holds the next batch back so that items arriving meanwhile go together', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number>(async (items) => { batches.push(items); return items.map(() => undefined); }, { maxItems: 100, minIntervalMs: 200 });
    await commit.write(0);
    // Without the interval, 1 would be written alone at once (the writer is idle), then 2.
    const one = commit.write(1);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([one, commit.write(2)]);
    assert.deepEqual(batches, [[0], [1, 2]]);
  });

  it('caps batches at maxItems', async () => {
    const sizes: number[] = [];
    const commit = new GroupCommit<number>(async (items) => { sizes.push(items.length); return items.map(() => undefined); }, { maxItems: 3 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => commit.write(i)));
    assert.deepEqual(sizes, [3, 3, 2]);
  });

  it('caps batches at maxWeight, and sends an item heavier than that alone', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number>(async (items) => { batches.push(items); return items.map(() => undefined); },
      { maxItems: 100, maxWeight: 10, weight: (item) => item });
    await Promise.all([1, 4, 5, 2, 30, 3].map((i) => commit.write(i)));
    assert.deepEqual(batches, [[1, 4, 5], [2], [30], [3]]);
  });

  it('without retrySingly, fails every item of a failed batch with its error', async () => {
    let calls = 0;
    const commit = new GroupCommit<number>(async (items) => {
      calls++;
      await new Promise((r) => setTimeout(r, 1));
      if (items.length > 1) throw new Error('the pack write failed');
      return items.map(() => undefined);
    }, { maxItems: 100, retrySingly: false });
    await commit.write(1);
    const results = await Promise.allSettled([2, 3, 4].map((i) => commit.write(i)));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.equal(calls, 2);
  });

  it('gives each item of a failed batch its own outcome', async () => {
    const commit = new GroupCommit<number, number>(async (items) => {
      await new Promise((r) => setTimeout(r, 1));
      if (items.includes(13)) throw new Error(`unlucky batch ${items.join(',')}`);
      return items.map((i) => i * 2);
    }, { maxItems: 100 });
    const results = await Promise.allSettled([10, 11, 12, 13, 14].map((i) => commit.write(i)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)), [20, 22, 24, undefined, 28]);
    assert.match(String((results[3] as PromiseRejectedResult).reason), /unlucky batch 13$/);
  });
});
