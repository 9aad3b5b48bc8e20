/**
 * Envelopes POSTed over loopback land, field for field, in PostgreSQL or PGlite and in the file or
 * S3 object store; resending changes nothing; a block id reused for other content is refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readBlockPayload } from '@micromegas/backend/lake/telemetry/payload';
import type { BlockRow } from '@micromegas/backend/lake/telemetry/records';
import {
  cbor, count, objectKeys, post, referencedPacks, sampleBlock, sampleProcess, sampleStream, startIngestion, storageMatrix,
  sweepUnreferencedPacks, type IngestionUnderTest,
} from './ingestion-fixtures.js';

const props = (p: Record<string, string>) => Object.entries(p).map(([key, value]) => ({ key, value }));

for (const storage of storageMatrix) {
  describe(`ingestion into ${storage.name}`, () => {
    let it_: IngestionUnderTest;
    before(async () => { it_ = await startIngestion(storage.metadata, storage.objects); });
    after(async () => { await it_.close(); });

    it('records every field of a process, its stream and its blocks', async () => {
      const process = sampleProcess({ parent_process_id: 'f3a6c1c8-3b2e-4a51-9a53-0f8c3c1b7e2d' });
      const stream = sampleStream(process);
      const blocks = [sampleBlock(stream), sampleBlock(stream, { object_offset: 1234, nb_objects: 7 })];
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
      for (const block of blocks) assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200);

      const [p] = await it_.db.store.query('SELECT * FROM processes WHERE process_id = $1', [process.process_id]);
      assert.ok(p);
      for (const field of ['exe', 'username', 'realname', 'computer', 'distro', 'cpu_brand', 'tsc_frequency', 'start_ticks', 'parent_process_id'] as const) {
        assert.equal(p[field], process[field], field);
      }
      assert.equal(p['start_time_ns'], 1_795_435_200_123_456_789n);
      assert.equal((p['start_time'] as Date).toISOString(), '2026-11-23T12:00:00.123Z');
      assert.deepEqual(p['properties'], props(process.properties));

      const [s] = await it_.db.store.query('SELECT * FROM streams WHERE stream_id = $1', [stream.stream_id]);
      assert.ok(s);
      assert.equal(s['process_id'], process.process_id);
      assert.deepEqual(new Uint8Array(s['dependencies_metadata'] as Uint8Array), stream.dependencies_metadata);
      assert.deepEqual(new Uint8Array(s['objects_metadata'] as Uint8Array), stream.objects_metadata);
      assert.deepEqual(s['tags'], stream.tags);
      assert.deepEqual(s['properties'], props(stream.properties));

      const rows = await it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE stream_id = $1 ORDER BY object_offset', [stream.stream_id]);
      assert.equal(rows.length, blocks.length);
      for (const [i, block] of blocks.entries()) {
        const row = rows[i]!;
        for (const field of ['block_id', 'stream_id', 'process_id', 'begin_ticks', 'end_ticks', 'nb_objects', 'object_offset'] as const) {
          assert.equal(row[field], block[field], field);
        }
        assert.equal(row.begin_time_ns, 1_795_435_201_000_000_001n);
        assert.equal(row.end_time_ns, 1_795_435_202_999_999_999n);
        // timestamptz keeps microseconds, truncated so that it never passes the exact time
        assert.equal(row.begin_time.toISOString(), '2026-11-23T12:00:01.000Z');
        assert.equal(row.end_time.toISOString(), '2026-11-23T12:00:02.999Z');
        const payload = await readBlockPayload(it_.os.store, row);
        assert.deepEqual(new Uint8Array(payload.dependencies), new Uint8Array(block.payload.dependencies));
        assert.deepEqual(new Uint8Array(payload.objects), new Uint8Array(block.payload.objects));
        assert.match(row.payload_key ?? '', /^packs\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f-]{36}$/);
        assert.ok(Number(row.payload_offset) + Number(row.payload_size) <= (await it_.os.store.get(row.payload_key!)).byteLength);
      }
    });

    it('stores a block sent twice once: one row; the resent copies go once no row refers to their packs', async () => {
      const process = sampleProcess();
      const stream = sampleStream(process);
      const block = sampleBlock(stream);
      const [processes, streams, blocks] = [await count(it_.db, 'processes'), await count(it_.db, 'streams'), await count(it_.db, 'blocks')];
      for (let i = 0; i < 2; i++) {
        assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
        assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
        assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200);
      }
      // concurrent resends as well
      const concurrent = await Promise.all([1, 2, 3].map(() => post(it_.url, 'insert_block', cbor(block))));
      assert.deepEqual(concurrent.map((r) => r.status), [200, 200, 200]);
      assert.equal(await count(it_.db, 'processes'), processes + 1);
      assert.equal(await count(it_.db, 'streams'), streams + 1);
      assert.equal(await count(it_.db, 'blocks'), blocks + 1);
      await sweepUnreferencedPacks(it_);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
      const rows = await it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE block_id = $1', [block.block_id]);
      assert.deepEqual(new Uint8Array((await readBlockPayload(it_.os.store, rows[0]!)).objects), new Uint8Array(block.payload.objects));
    });

    it('answers 409 to a block id reused with other content, keeps the first, and leaves no orphan once swept', async () => {
      const process = sampleProcess();
      const [stream, other] = [sampleStream(process), sampleStream(process)];
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      for (const s of [stream, other]) assert.equal((await post(it_.url, 'insert_stream', cbor(s))).status, 200);
      const block = sampleBlock(stream);
      assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200);
      const reuses = {
        payload: { ...block, payload: { ...block.payload, objects: randomBytes(5000) } },
        stream_id: { ...block, stream_id: other.stream_id },
        begin_time: { ...block, begin_time: '2026-11-23T12:00:01.5Z' },
        'nb_objects, object_offset': { ...block, nb_objects: 1, object_offset: 99 },
      };
      for (const [differs, reuse] of Object.entries(reuses)) {
        const response = await post(it_.url, 'insert_block', cbor(reuse));
        assert.equal(response.status, 409, `${differs}: ${response.text}`);
        assert.equal(JSON.parse(response.text).message,
          `block ${block.block_id} was already recorded with a different ${differs}: a resend must be identical; new content needs a new block_id`);
      }
      // the same id for other content from many senders at once: still one row and one object, the first's
      const racing = await Promise.all([stream, other, stream, other].map((s, i) =>
        post(it_.url, 'insert_block', cbor({ ...block, stream_id: s.stream_id, end_ticks: Number(block.end_ticks) + i + 1 }))));
      assert.deepEqual(racing.map((r) => r.status), [409, 409, 409, 409]);
      assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200, 'the original, resent');
      await sweepUnreferencedPacks(it_);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
      const rows = await it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE block_id = $1', [block.block_id]);
      assert.deepEqual(rows.map((r) => [r.stream_id, r.end_ticks]), [[stream.stream_id, block.end_ticks]]);
      const payload = await readBlockPayload(it_.os.store, rows[0]!);
      assert.deepEqual(new Uint8Array(payload.objects), new Uint8Array(block.payload.objects));
    });

    it('stores many blocks sent at once in shared packs, each read back exactly from its range', async () => {
      const processes = [sampleProcess(), sampleProcess(), sampleProcess()];
      const streams = processes.flatMap((p) => [sampleStream(p), sampleStream(p, { tags: ['log'] })]);
      for (const p of processes) assert.equal((await post(it_.url, 'insert_process', cbor(p))).status, 200);
      for (const st of streams) assert.equal((await post(it_.url, 'insert_stream', cbor(st))).status, 200);
      const blocks = streams.flatMap((st) => Array.from({ length: 10 }, (_, i) => sampleBlock(st, {
        object_offset: i, payload: { dependencies: randomBytes(20 + i), objects: randomBytes(500 + 97 * i) },
      })));
      const responses = await Promise.all(blocks.map((b) => post(it_.url, 'insert_block', cbor(b))));
      assert.deepEqual(responses.filter((r) => r.status !== 200), []);
      const rows = await it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE block_id = ANY($1)', [blocks.map((b) => b.block_id)]);
      assert.equal(rows.length, blocks.length);
      for (const block of blocks) {
        const row = rows.find((r) => r.block_id === block.block_id)!;
        const payload = await readBlockPayload(it_.os.store, row);
        assert.deepEqual(new Uint8Array(payload.dependencies), new Uint8Array(block.payload.dependencies));
        assert.deepEqual(new Uint8Array(payload.objects), new Uint8Array(block.payload.objects));
      }
      // The ranges of a pack do not overlap.
      const ranges = rows.map((r) => ({ key: r.payload_key, begin: Number(r.payload_offset), end: Number(r.payload_offset) + Number(r.payload_size) }));
      for (const a of ranges) {
        assert.equal(ranges.filter((b) => b.key === a.key && b.begin < a.end && a.begin < b.end).length, 1);
      }
    });

    it('compares a block resent into another pack byte for byte with the one recorded: 200 if identical, else 409', async () => {
      const process = sampleProcess();
      const stream = sampleStream(process);
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
      const block = sampleBlock(stream);
      assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200);
      const recorded = async () => (await it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE block_id = $1', [block.block_id]))[0]!;
      const first = await recorded();
      // With other blocks, so that the resend is in a pack with other content.
      const others = [sampleBlock(stream, { object_offset: 1 }), sampleBlock(stream, { object_offset: 2 })];
      const resends = await Promise.all([block, ...others].map((b) => post(it_.url, 'insert_block', cbor(b))));
      assert.deepEqual(resends.map((r) => r.status), [200, 200, 200]);
      // Same size, other bytes: only the bytes tell.
      const objects = new Uint8Array(block.payload.objects);
      objects[objects.length - 1] ^= 0xff;
      const changed = await post(it_.url, 'insert_block', cbor({ ...block, payload: { ...block.payload, objects } }));
      assert.equal(changed.status, 409, changed.text);
      assert.match(JSON.parse(changed.text).message, /already recorded with a different payload/);
      const after = await recorded();
      assert.deepEqual([after.payload_key, after.payload_offset], [first.payload_key, first.payload_offset]);
      assert.deepEqual(new Uint8Array((await readBlockPayload(it_.os.store, after)).objects), new Uint8Array(block.payload.objects));
    });

    it('refuses, among concurrent first sends of one block id, all but the one recorded', async () => {
      const process = sampleProcess();
      const streams = [sampleStream(process), sampleStream(process)];
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      for (const s of streams) assert.equal((await post(it_.url, 'insert_stream', cbor(s))).status, 200);
      const first = sampleBlock(streams[0]!);
      const senders = Array.from({ length: 6 }, (_, i) => ({ ...first, stream_id: streams[i % 2]!.stream_id, nb_objects: i }));
      const responses = await Promise.all(senders.map((b) => post(it_.url, 'insert_block', cbor(b))));
      assert.equal(responses.filter((r) => r.status === 200).length, 1, responses.map((r) => r.text).join('\n'));
      assert.equal(responses.filter((r) => r.status === 409).length, 5);
      const winner = senders[responses.findIndex((r) => r.status === 200)]!;
      const [row] = await it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE block_id = $1', [first.block_id]);
      assert.deepEqual([row!.stream_id, row!.nb_objects], [winner.stream_id, winner.nb_objects]);
      await sweepUnreferencedPacks(it_);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
    });
  });
}
