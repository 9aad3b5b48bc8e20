/**
 * Bad input gets a 4xx naming what is wrong, stores nothing, and leaves the server serving.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  cbor, count, objectKeys, post, sampleBlock, sampleProcess, sampleStream, startIngestion, storageMatrix,
  type IngestionUnderTest,
} from './ingestion-fixtures.js';

const MAX_BODY = 64 * 1024;
const without = (value: object, field: string) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== field));

/** The diagonal of the matrix: each backend once. */
const storages = storageMatrix.filter((s) => s.name === 'pglite + file' || s.name === 'postgres + s3');

for (const storage of storages) {
  describe(`ingestion refuses bad input (${storage.name})`, () => {
    let it_: IngestionUnderTest;
    before(async () => {
      it_ = await startIngestion(storage.metadata, storage.objects, { MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(MAX_BODY) });
    });
    after(async () => {
      // the server is still healthy and nothing was stored by any of the bad requests
      assert.equal((await fetch(`${it_.url}/health`)).status, 200);
      assert.equal((await fetch(`${it_.url}/ready`)).status, 200);
      assert.equal(await count(it_.db, 'processes'), 0);
      assert.equal(await count(it_.db, 'streams'), 0);
      assert.equal(await count(it_.db, 'blocks'), 0);
      assert.deepEqual(await objectKeys(it_.os), []);
      await it_.close();
    });

    async function expect(path: string, body: Uint8Array | string, status: number, message: RegExp): Promise<void> {
      const response = await post(it_.url, path, body);
      assert.equal(response.status, status, `${path}: ${response.text}`);
      assert.match(JSON.parse(response.text).message, message);
    }

    it('refuses bodies that are not one CBOR map', async () => {
      const process = cbor(sampleProcess());
      for (const path of ['insert_process', 'insert_stream', 'insert_block']) {
        await expect(path, new Uint8Array(0), 400, /empty body/);
        await expect(path, process.subarray(0, process.length - 5), 400, /invalid CBOR: Unexpected end/);
        await expect(path, new Uint8Array([0xff, 0xfe, 0xfd]), 400, /invalid CBOR/);
        await expect(path, new Uint8Array([...process, 0x01]), 400, /invalid CBOR/);
        await expect(path, cbor([1, 2, 3]), 400, /must be a map, got an array/);
        await expect(path, cbor('a string'), 400, /must be a map, got a string/);
        await expect(path, new Uint8Array(10_000).fill(0x81), 400, /invalid CBOR/);
      }
    });

    it('names the missing or mistyped process field', async () => {
      const p = sampleProcess();
      await expect('insert_process', cbor(without(p, 'exe')), 400, /^process: field 'exe' is missing/);
      await expect('insert_process', cbor({ ...p, process_id: 42 }), 400, /field 'process_id' must be a text string, got a number/);
      await expect('insert_process', cbor({ ...p, process_id: '../../etc' }), 400, /field 'process_id' must be an id/);
      await expect('insert_process', cbor({ ...p, tsc_frequency: 'fast' }), 400, /field 'tsc_frequency' must be an integer/);
      await expect('insert_process', cbor({ ...p, tsc_frequency: 0 }), 400, /field 'tsc_frequency' must be an integer in \[1,/);
      await expect('insert_process', cbor({ ...p, start_ticks: 1.5 }), 400, /field 'start_ticks' must be an integer/);
      await expect('insert_process', cbor({ ...p, start_time: '2026-02-30T00:00:00Z' }), 400, /field 'start_time' must be an RFC 3339 time/);
      await expect('insert_process', cbor({ ...p, start_time: 1700000000 }), 400, /field 'start_time' must be a text string/);
      await expect('insert_process', cbor({ ...p, properties: { ok: 'x', bad: 3 } }), 400, /field 'properties.bad' must be a text string/);
      await expect('insert_process', cbor({ ...p, properties: ['x'] }), 400, /field 'properties' must be a map/);
    });

    it('names the mistyped stream field, and refuses a stream of an unknown process', async () => {
      const s = sampleStream(sampleProcess());
      await expect('insert_stream', cbor({ ...s, dependencies_metadata: 'abc' }), 400, /field 'dependencies_metadata' must be a byte string/);
      await expect('insert_stream', cbor({ ...s, tags: ['log', 7] }), 400, /field 'tags\[1\]' must be a text string/);
      await expect('insert_stream', cbor(without(s, 'objects_metadata')), 400, /field 'objects_metadata' is missing/);
      await expect('insert_stream', cbor(s), 422, /unknown process/);
    });

    it('names the bad block field, and refuses a block of an unknown stream', async () => {
      const b = sampleBlock(sampleStream(sampleProcess()));
      await expect('insert_block', cbor({ ...b, payload: { dependencies: b.payload.dependencies } }), 400, /field 'payload.objects' is missing/);
      await expect('insert_block', cbor({ ...b, payload: 'x' }), 400, /field 'payload' must be a map/);
      await expect('insert_block', cbor({ ...b, nb_objects: -1 }), 400, /field 'nb_objects' must be an integer in \[0,/);
      await expect('insert_block', cbor({ ...b, nb_objects: 2 ** 40 }), 400, /field 'nb_objects' must be at most/);
      await expect('insert_block', cbor({ ...b, end_ticks: 2n ** 64n }), 400, /field 'end_ticks' must be an integer/);
      await expect('insert_block', cbor({ ...b, block_id: '' }), 400, /field 'block_id' must be an id/);
      await expect('insert_block', cbor(b), 422, /unknown stream/);
    });

    it('refuses a block whose process is not its stream\'s', async () => {
      const process = sampleProcess();
      const stream = sampleStream(process);
      // The process and stream are recorded by this test, so remove them afterwards to keep the
      // "nothing stored" check about the bad requests.
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
      try {
        await expect('insert_block', cbor(sampleBlock(stream, { process_id: sampleProcess().process_id })), 400,
          /field 'process_id' is .* but stream .* belongs to process/);
      } finally {
        await it_.db.store.query('DELETE FROM streams WHERE stream_id = $1', [stream.stream_id]);
        await it_.db.store.query('DELETE FROM processes WHERE process_id = $1', [process.process_id]);
      }
    });

    it('refuses bodies over the size cap with 413, announced or streamed', async () => {
      const big = randomBytes(MAX_BODY + 1);
      await expect('insert_block', big, 413, /too large/i);
      const chunks = [randomBytes(MAX_BODY / 2), randomBytes(MAX_BODY / 2), randomBytes(10)];
      const streamed = await fetch(`${it_.url}/ingestion/insert_block`, {
        method: 'POST',
        body: new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
    });

    it('answers 4xx, never 5xx, to arbitrary bytes and arbitrary CBOR values', async () => {
      const valid = sampleBlock(sampleStream(sampleProcess()));
      const mutated = fc.record({
        field: fc.constantFrom(...Object.keys(valid)),
        value: fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withDate: true }),
      }).map(({ field, value }) => cbor({ ...valid, [field]: value }));
      await fc.assert(fc.asyncProperty(
        fc.constantFrom('insert_process', 'insert_stream', 'insert_block'),
        fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.anything().map((v) => cbor(v)), mutated),
        async (path, body) => {
          const { status } = await post(it_.url, path, body);
          assert.ok(status >= 400 && status < 500, `${path} answered ${status}`);
        }), { numRuns: 150 });
    });
  });
}
