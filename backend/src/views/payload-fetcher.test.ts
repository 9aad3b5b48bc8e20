import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testObjectBackends, type TestObjectStore } from '../lake/object-store/test-stores.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { blockPayloadKey, encodeBlockPayload, type PayloadLocation } from '../lake/telemetry/payload.js';
import { PayloadFetcher } from './payload-fetcher.js';

/** Counts the reads that reach the store. */
function counting(inner: ObjectStore): ObjectStore & { reads: string[] } {
  const reads: string[] = [];
  return Object.assign(Object.create(inner) as ObjectStore, {
    reads,
    get: (key: string) => { reads.push(key); return inner.get(key); },
    getRange: (key: string, offset: number, length: number) => { reads.push(`${key}@${offset}+${length}`); return inner.getRange(key, offset, length); },
  });
}

const ids = (i: number) => ({ process_id: 'p', stream_id: `s${i % 3}`, block_id: `b${i}` });

describe('PayloadFetcher', () => {
  let os: TestObjectStore;
  before(async () => { os = await testObjectBackends.find((b) => b.name === 'file')!.open(); });
  after(async () => { await os.drop(); });

  it('reads the blocks of a pack with one request, in any order, and the others on their own', async () => {
    const payloads = Array.from({ length: 12 }, () => ({ dependencies: randomBytes(5), objects: randomBytes(2000) }));
    const encoded = payloads.map(encodeBlockPayload);
    // blocks 0-9 back to back in one pack; block 10 in the same pack but far after a gap; block 11 an object of its own
    const gap = new Uint8Array(1024 * 1024);
    await os.store.put('packs/p1', Buffer.concat([...encoded.slice(0, 10), gap, encoded[10]!]));
    await os.store.put(blockPayloadKey(ids(11)), encoded[11]!);
    let offset = 0;
    const blocks: PayloadLocation[] = encoded.slice(0, 10).map((bytes, i) => {
      const at = offset;
      offset += bytes.byteLength;
      return { ...ids(i), payload_key: 'packs/p1', payload_offset: at, payload_size: bytes.byteLength };
    });
    blocks.push({ ...ids(10), payload_key: 'packs/p1', payload_offset: offset + gap.byteLength, payload_size: encoded[10]!.byteLength });
    blocks.push({ ...ids(11), payload_key: null, payload_offset: null, payload_size: encoded[11]!.byteLength });
    // in stream order, as a build reads them
    const order = blocks.map((_, i) => i).sort((a, b) => blocks[a]!.stream_id.localeCompare(blocks[b]!.stream_id) || a - b);
    const store = counting(os.store);
    const fetcher = new PayloadFetcher(store, order.map((i) => blocks[i]!));
    const read = await Promise.all(order.map((_, j) => fetcher.read(j)));
    read.forEach((stored, j) => {
      assert.ok(stored.kind === 'wire');
      assert.deepEqual(new Uint8Array(stored.payload.objects), new Uint8Array(payloads[order[j]!]!.objects));
    });
    assert.deepEqual(store.reads.sort(), [
      blockPayloadKey(ids(11)),
      `packs/p1@0+${offset}`,
      `packs/p1@${offset + gap.byteLength}+${encoded[10]!.byteLength}`,
    ].sort());
  });
});
