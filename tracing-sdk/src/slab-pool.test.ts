import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlMemory, CTL_PROCESSED, maxSlabs, SlabPool } from './slab-pool.js';
import { slabLayout, type Slab } from './slab.js';

test('the pool grows to its bound, then each priority leaves its reserve to those above it', () => {
  const layout = slabLayout(16384); // big slabs: the bound is a few of them
  const MAX_SLABS = maxSlabs(layout);
  assert.equal(MAX_SLABS, 16);
  assert.ok(maxSlabs(slabLayout(64)) > 1000, 'small slabs: many more within the same memory');
  const pool = new SlabPool(controlMemory(layout), layout);
  const grown: Slab[] = [];
  const held: Slab[] = [];
  for (let i = 0; i < MAX_SLABS - 2; i++) held.push(pool.acquire(0, (s) => grown.push(s))!);
  assert.equal(pool.slabs.length, MAX_SLABS - 2);
  assert.equal(grown.length, MAX_SLABS - 2 - 6, 'the initial slabs, then new ones, each announced');
  assert.equal(new Set(held.map((s) => s.index)).size, held.length, 'no slab handed out twice');
  // Two left, both to be allocated: spans (reserve 2) may still grow the pool.
  held.push(pool.acquire(2, (s) => grown.push(s))!, pool.acquire(2, (s) => grown.push(s))!);
  assert.equal(pool.slabs.length, MAX_SLABS);
  assert.equal(pool.acquire(0, (s) => grown.push(s)), undefined, 'at the bound with none free');

  for (const slab of held.splice(0, 2)) pool.queue(slab);
  SlabPool.release(pool.ctl, 0);
  SlabPool.release(pool.ctl, 1);
  assert.equal(pool.ctl[CTL_PROCESSED], 2);
  assert.equal(pool.acquire(2, () => assert.fail('no growth at the bound')), undefined, 'spans leave two free');
  assert.ok(pool.acquire(1, () => assert.fail('no growth at the bound')), 'metrics take one of two');
  assert.equal(pool.acquire(1, () => assert.fail('no growth at the bound')), undefined, 'metrics leave the last');
  assert.ok(pool.acquire(0, () => assert.fail('no growth at the bound')), 'logs take the last');
});
