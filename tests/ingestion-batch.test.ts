/**
 * insert_blocks: a CBOR array of block envelopes in one request, each block stored or refused on its
 * own exactly as insert_block would (a bad block fails alone), the blocks of a request in one pack;
 * a body that is not such an array stores nothing; 503 only when no block could be stored.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import { readBlockPayload } from '@micromegas/backend/lake/telemetry/payload';
import type { BlockRow } from '@micromegas/backend/lake/telemetry/records';
import type { Block, StreamInfo } from '@micromegas/wire/envelope';
import {
  cbor, count, post, sampleBlock, sampleProcess, sampleStream, startIngestion, storageMatrix, type IngestionUnderTest,
} from './ingestion-fixtures.js';

interface Result {
  statusCode: number;
  error?: string;
  message?: string;
}

async function insertBlocks(url: string, envelopes: unknown[]): Promise<{ status: number; results: Result[]; message?: string }> {
  const response = await post(url, 'insert_blocks', cbor(envelopes));
  const body = JSON.parse(response.text) as { results?: Result[]; message?: string };
  return { status: response.status, results: body.results ?? [], message: body.message };
}

async function rowsOf(it_: IngestionUnderTest, blocks: readonly Block[]): Promise<BlockRow[]> {
  return it_.db.store.query<BlockRow & Record<string, unknown>>('SELECT * FROM blocks WHERE block_id = ANY($1)', [blocks.map((b) => b.block_id)]);
}

for (const storage of storageMatrix.filter((s) => s.objects.name === 'file')) {
  describe(`insert_blocks into ${storage.name}`, () => {
    let it_: IngestionUnderTest;
    const process = sampleProcess();
    const streams: StreamInfo[] = [sampleStream(process, { tags: ['log'] }), sampleStream(process, { tags: ['metrics'] }), sampleStream(process)];
    before(async () => {
      it_ = await startIngestion(storage.metadata, storage.objects);
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      for (const stream of streams) assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
    });
    after(async () => { await it_.close(); });

    it('stores every block of a request as insert_block would, in one pack, and answers for each', async () => {
      const blocks = streams.map((stream) => sampleBlock(stream));
      const answer = await insertBlocks(it_.url, blocks);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.results, blocks.map(() => ({ statusCode: 200 })));
      const rows = await rowsOf(it_, blocks);
      assert.equal(rows.length, blocks.length);
      assert.equal(new Set(rows.map((row) => row.payload_key)).size, 1);
      for (const block of blocks) {
        const row = rows.find((r) => r.block_id === block.block_id)!;
        assert.equal(row.stream_id, block.stream_id);
        assert.equal(row.nb_objects, block.nb_objects);
        const payload = await readBlockPayload(it_.os.store, row);
        assert.deepEqual(new Uint8Array(payload.objects), new Uint8Array(block.payload.objects));
        assert.deepEqual(new Uint8Array(payload.dependencies), new Uint8Array(block.payload.dependencies));
      }
      // A resend, whole, changes nothing.
      assert.deepEqual((await insertBlocks(it_.url, blocks)).results, blocks.map(() => ({ statusCode: 200 })));
      assert.equal((await rowsOf(it_, blocks)).length, blocks.length);
    });

    it('answers each block for itself: a malformed, unknown, misattributed or conflicting block fails alone', async () => {
      const [stream] = streams;
      const stored = sampleBlock(stream!);
      assert.equal((await post(it_.url, 'insert_block', cbor(stored))).status, 200);
      const good = [sampleBlock(stream!), sampleBlock(streams[2]!)];
      const { block_id: _dropped, ...noId } = sampleBlock(stream!);
      const envelopes: unknown[] = [
        good[0], noId, 'not a map', sampleBlock(stream!, { stream_id: randomUUID() }), sampleBlock(stream!, { process_id: randomUUID() }),
        { ...stored, payload: { ...stored.payload, objects: randomBytes(100) } }, stored, good[1],
      ];
      const before = await count(it_.db, 'blocks');
      const answer = await insertBlocks(it_.url, envelopes);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.results.map((r) => r.statusCode), [200, 400, 400, 422, 400, 409, 200, 200]);
      assert.match(answer.results[1]!.message!, /^block: field 'block_id' /);
      assert.equal(answer.results[2]!.message, 'block: must be a map, got a string');
      assert.match(answer.results[3]!.message!, /unknown stream/);
      assert.match(answer.results[4]!.message!, /belongs to process/);
      assert.match(answer.results[5]!.message!, /already recorded with a different payload/);
      assert.equal(answer.results[5]!.error, 'rejected');
      assert.equal(await count(it_.db, 'blocks'), before + 2);
      assert.equal((await rowsOf(it_, good)).length, 2);
    });

    it('refuses a body that is not an array of 1 to 64 block envelopes, and stores nothing', async () => {
      const before = await count(it_.db, 'blocks');
      const many = Array.from({ length: 65 }, () => sampleBlock(streams[0]!));
      const bodies: [string, Uint8Array, RegExp][] = [
        ['empty', new Uint8Array(0), /^blocks: empty body: expected a CBOR array of block envelopes$/],
        ['not CBOR', Uint8Array.of(0xff, 0x00, 0x13), /^blocks: invalid CBOR/],
        ['one envelope, not in an array', cbor(sampleBlock(streams[0]!)), /^blocks: must be an array of block envelopes$/],
        ['an empty array', cbor([]), /^blocks: must hold 1 to 64 block envelopes, got 0$/],
        ['65 envelopes', cbor(many), /^blocks: must hold 1 to 64 block envelopes, got 65$/],
        ['a truncated array', cbor(many.slice(0, 3)).subarray(0, 2000), /^blocks: invalid CBOR/],
      ];
      for (const [name, body, message] of bodies) {
        const response = await post(it_.url, 'insert_blocks', body);
        assert.equal(response.status, 400, `${name}: ${response.text}`);
        assert.match(JSON.parse(response.text).message, message, name);
      }
      assert.equal(await count(it_.db, 'blocks'), before);
    });

    it('answers 503 only when no block could be stored; the resend stores each block once', async () => {
      const packs = join(fileURLToPath(it_.os.uri), 'packs');
      await rename(packs, `${packs}.away`);
      await writeFile(packs, 'a file where the packs directory should be');
      const blocks = streams.map((stream) => sampleBlock(stream));
      const unknown = sampleBlock(streams[0]!, { stream_id: randomUUID() });
      const before = await count(it_.db, 'blocks');
      try {
        const failed = await insertBlocks(it_.url, blocks);
        assert.equal(failed.status, 503);
        assert.match(failed.message!, /^none of the 3 blocks could be stored: .*write failed/);
        assert.deepEqual(failed.results.map((r) => [r.statusCode, r.error]), blocks.map(() => [503, 'storage failure']));
        // One block decided (refused) is enough for a 200 that says which to retry.
        const mixed = await insertBlocks(it_.url, [blocks[0], unknown]);
        assert.equal(mixed.status, 200);
        assert.deepEqual(mixed.results.map((r) => r.statusCode), [503, 422]);
        assert.equal(await count(it_.db, 'blocks'), before);
      } finally {
        await rm(packs);
        await rename(`${packs}.away`, packs);
      }
      assert.deepEqual((await insertBlocks(it_.url, blocks)).results.map((r) => r.statusCode), [200, 200, 200]);
      assert.equal(await count(it_.db, 'blocks'), before + 3);
    });
  });
}
