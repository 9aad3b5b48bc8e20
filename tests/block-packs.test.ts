/**
 * Block payloads in packs (lake/telemetry/packs.ts), below HTTP: the ingestion writer gathers
 * concurrent blocks into one pack and fails exactly the blocks of a pack it could not write;
 * retention deletes a pack only once its last block is gone; a pack no row ever referred to (a
 * writer that died in between) goes with the sweep once its claim is over; rows laid out before
 * packs (an object per block) are still read and deleted.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';
import { BlockWriter } from '@micromegas/backend/ingestion/block-writer';
import { PACK_CLAIM_SECONDS, writePack } from '@micromegas/backend/lake/telemetry/packs';
import { blockPayloadKey, encodeBlockPayload, readBlockPayload, type PayloadLocation } from '@micromegas/backend/lake/telemetry/payload';
import type { BlockRecord } from '@micromegas/backend/lake/telemetry/records';
import { insertBlockRows } from '@micromegas/backend/lake/telemetry/write';
import { deleteBlocks } from '@micromegas/backend/maintenance/retention/doomed-blocks';
import { deleteDueFiles } from '@micromegas/backend/views/expired-files';
import { TelemetryWriter } from './lakehouse-fixtures.js';
import { FaultyObjectStore } from './faulty-object-store.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const HOUR = 3_600_000;

/** Counts `put`s, failing the next `failNext` of them. */
class FailingPuts extends FaultyObjectStore {
  failNext = 0;
  puts = 0;
  constructor(inner: ObjectStore) {
    super(inner, (key) => {
      this.puts++;
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error(`injected failure writing ${key}`);
      }
    });
  }
}

function blockOf(processId: string, streamId: string, i: number): BlockRecord {
  return {
    block_id: randomUUID(), stream_id: streamId, process_id: processId,
    begin_time_ns: 1_795_000_000_000_000_000n + BigInt(i), begin_ticks: i, end_time_ns: 1_795_000_000_000_000_000n + BigInt(i + 1), end_ticks: i + 1,
    nb_objects: 1, object_offset: i,
    payload: { dependencies: randomBytes(10 + i), objects: randomBytes(100 + 37 * i) },
  };
}

type Row = PayloadLocation & { block_id: string };

async function rowsOf(db: TestMetadataStore, blockIds: readonly string[]): Promise<Row[]> {
  return db.store.query<Row & Record<string, unknown>>(
    'SELECT block_id, stream_id, process_id, payload_key, payload_offset, payload_size FROM blocks WHERE block_id = ANY($1)', [[...blockIds]]);
}

async function keys(os: TestObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const key of os.store.list(prefix)) out.push(key);
  return out.sort();
}

const sweep = (db: TestMetadataStore, os: TestObjectStore, now: Date) =>
  deleteDueFiles(db.store, (key) => os.store.delete(key), { now, batchSize: 100 });

for (const metadataBackend of testMetadataBackends) {
  describe(`block packs (${metadataBackend.name} + file)`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let w: TelemetryWriter;
    let processId: string;
    let streamId: string;
    before(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
      w = new TelemetryWriter(db.store, os.store);
      const p = await w.process();
      processId = p.process_id;
      streamId = await w.stream(p, ['log']);
    });
    after(async () => { await Promise.all([db.drop(), os.drop()]); });

    it('writes blocks that arrive together, or while a pack is written, as one pack, each readable exactly', async () => {
      const store = new FailingPuts(os.store);
      const writer = new BlockWriter(db.store, store);
      const blocks = Array.from({ length: 40 }, (_, i) => blockOf(processId, streamId, i));
      const write = (b: BlockRecord) => writer.write(b, encodeBlockPayload(b.payload));
      // The first block finds the writer idle and goes alone; the others, written together, go together.
      const first = write(blocks[0]!);
      await new Promise((resolve) => setImmediate(resolve));
      const results = await Promise.all([first, ...blocks.slice(1).map(write)]);
      assert.ok(results.every((r) => r.inserted));
      assert.equal(store.puts, 2);
      const rows = await rowsOf(db, blocks.map((b) => b.block_id));
      assert.equal(new Set(rows.map((r) => r.payload_key)).size, 2);
      for (const block of blocks) {
        const row = rows.find((r) => r.block_id === block.block_id)!;
        const payload = await readBlockPayload(os.store, row);
        assert.deepEqual(new Uint8Array(payload.objects), new Uint8Array(block.payload.objects));
        assert.deepEqual(new Uint8Array(payload.dependencies), new Uint8Array(block.payload.dependencies));
      }
    });

    it('fails exactly the blocks of a pack it could not write, and none of them is visible', async () => {
      const store = new FailingPuts(os.store);
      const writer = new BlockWriter(db.store, store);
      const [lone, ...gathered] = Array.from({ length: 5 }, (_, i) => blockOf(processId, streamId, i));
      store.failNext = 1;
      // The lone block finds the writer idle and goes alone; the others go together in the next pack.
      const failed = writer.write(lone!, encodeBlockPayload(lone!.payload));
      failed.catch(() => {}); // checked below; meanwhile its failure is not unhandled
      await new Promise((resolve) => setImmediate(resolve));
      const results = await Promise.allSettled([failed, ...gathered.map((b) => writer.write(b, encodeBlockPayload(b.payload)))]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      assert.match(String((results[0] as PromiseRejectedResult).reason), /injected failure writing packs\//);
      assert.deepEqual((await rowsOf(db, [lone!.block_id])), []);
      assert.equal((await rowsOf(db, gathered.map((b) => b.block_id))).length, 4);
    });

    it('deletes a pack only once its last block is gone', async () => {
      const [a, b] = [blockOf(processId, streamId, 1), blockOf(processId, streamId, 2)];
      const payloads = [encodeBlockPayload(a.payload), encodeBlockPayload(b.payload)];
      const packs = await writePack(db.store, os.store, payloads);
      await insertBlockRows(db.store, [a, b].map((block, i) => ({ block, payload: payloads[i]!, pack: packs[i]! })));
      const key = packs[0]!.key;
      const one = (id: string) => ({ sql: 'SELECT block_id FROM blocks WHERE block_id = $2 LIMIT $1', params: [id] });

      const t0 = new Date();
      await deleteBlocks(db.store, one(a.block_id), { now: t0, batchSize: 10 });
      // Past every grace period and the pack's claim: b still refers to the pack, so it stays.
      await sweep(db, os, new Date(t0.getTime() + 2 * HOUR));
      assert.ok(await os.store.exists(key));
      assert.deepEqual(await db.store.query('SELECT 1 FROM lakehouse_expired_files WHERE file_path = $1', [key]), [], 'its claim is taken off the list');
      assert.deepEqual(new Uint8Array((await readBlockPayload(os.store, (await rowsOf(db, [b.block_id]))[0]!)).objects), new Uint8Array(b.payload.objects));

      const t1 = new Date(t0.getTime() + 3 * HOUR);
      await deleteBlocks(db.store, one(b.block_id), { now: t1, batchSize: 10 });
      await sweep(db, os, t1);
      assert.ok(await os.store.exists(key), 'kept for the grace period');
      await sweep(db, os, new Date(t1.getTime() + HOUR));
      assert.equal(await os.store.exists(key), false);
    });

    it('deletes a pack no row ever referred to once its claim is over', async () => {
      const [orphan] = await writePack(db.store, os.store, [new Uint8Array([1, 2, 3])]);
      const now = Date.now();
      await sweep(db, os, new Date(now + (PACK_CLAIM_SECONDS - 60) * 1000));
      assert.ok(await os.store.exists(orphan!.key));
      await sweep(db, os, new Date(now + (PACK_CLAIM_SECONDS + 60) * 1000));
      assert.equal(await os.store.exists(orphan!.key), false);
    });

    it('records rows of a batch exactly, int64 extremes and nanoseconds included, and an id twice only once', async () => {
      const extreme: BlockRecord = {
        ...blockOf(processId, streamId, 3),
        begin_time_ns: -(2n ** 63n), begin_ticks: -(2n ** 63n), end_time_ns: 2n ** 63n - 1n, end_ticks: 2n ** 63n - 1n,
        nb_objects: 2 ** 31 - 1, object_offset: 2n ** 63n - 1n,
      };
      const [plain, twice] = [blockOf(processId, streamId, 4), blockOf(processId, streamId, 5)];
      const payloads = [extreme, plain, twice].map((b) => encodeBlockPayload(b.payload));
      const packs = await writePack(db.store, os.store, payloads);
      const stored = [extreme, plain, twice].map((block, i) => ({ block, payload: payloads[i]!, pack: packs[i]! }));
      const other = { ...stored[2]!, payload: payloads[0]! };
      assert.deepEqual(await insertBlockRows(db.store, [...stored, other]), [true, true, true, false]);
      const rows = await db.store.query<Record<string, unknown>>(
        `SELECT block_id, begin_time_ns, begin_ticks, end_time_ns, end_ticks, nb_objects, object_offset, payload_size, payload_offset,
           begin_time = $2::timestamptz AS begin_time_ok, end_time = $3::timestamptz AS end_time_ok
         FROM blocks WHERE block_id = ANY($1) ORDER BY payload_offset`,
        [stored.map((s) => s.block.block_id), '1677-09-21T00:12:43.145224Z', '2262-04-11T23:47:16.854775Z']);
      assert.deepEqual(rows[0], {
        block_id: extreme.block_id, begin_time_ns: -(2n ** 63n), begin_ticks: -(2n ** 63n), end_time_ns: 2n ** 63n - 1n,
        end_ticks: 2n ** 63n - 1n, nb_objects: 2 ** 31 - 1, object_offset: 2n ** 63n - 1n, payload_size: payloads[0]!.byteLength,
        payload_offset: 0, begin_time_ok: true, end_time_ok: true,
      });
      assert.deepEqual(rows.slice(1).map((r) => [r['block_id'], r['payload_size'], r['payload_offset']]),
        [[plain.block_id, payloads[1]!.byteLength, packs[1]!.offset], [twice.block_id, payloads[2]!.byteLength, packs[2]!.offset]]);
    });

    it('reads and deletes blocks laid out before packs, an object each', async () => {
      const block = blockOf(processId, streamId, 7);
      const payload = encodeBlockPayload(block.payload);
      await os.store.put(blockPayloadKey(block), payload);
      await insertBlockRows(db.store, [{ block, payload, pack: null }]);
      const [row] = await rowsOf(db, [block.block_id]);
      assert.equal(row!.payload_key, null);
      assert.deepEqual(new Uint8Array((await readBlockPayload(os.store, row!)).objects), new Uint8Array(block.payload.objects));
      const now = new Date();
      await deleteBlocks(db.store, { sql: 'SELECT block_id FROM blocks WHERE block_id = $2 LIMIT $1', params: [block.block_id] }, { now, batchSize: 10 });
      await sweep(db, os, new Date(now.getTime() + HOUR));
      assert.deepEqual(await keys(os, `blobs/${block.process_id}/`), []);
    });
  });
}
