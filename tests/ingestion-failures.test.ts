/**
 * A storage failure gets a 5xx (the sink retries), leaves no visible half-written block, and a
 * resend after recovery stores the block exactly once.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cbor, count, objectKeys, post, referencedPacks, sampleBlock, sampleProcess, sampleStream, startIngestion, storageMatrix,
  sweepUnreferencedPacks, type IngestionUnderTest,
} from './ingestion-fixtures.js';

for (const storage of storageMatrix.filter((s) => s.objects.name === 'file')) {
  describe(`ingestion under storage failures (${storage.name})`, () => {
    let it_: IngestionUnderTest;
    const process = sampleProcess();
    const stream = sampleStream(process);
    before(async () => {
      it_ = await startIngestion(storage.metadata, storage.objects);
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
    });
    after(async () => { await it_.close(); });

    it('answers 503 when the object store cannot write, and stores the resend once', async () => {
      const packs = join(fileURLToPath(it_.os.uri), 'packs');
      await writeFile(packs, 'a file where the packs directory should be');
      const block = sampleBlock(stream);
      try {
        const failed = await post(it_.url, 'insert_block', cbor(block));
        assert.equal(failed.status, 503, failed.text);
        assert.match(JSON.parse(failed.text).message, /write failed/);
        assert.equal(await count(it_.db, 'blocks'), 0);
        assert.equal((await fetch(`${it_.url}/health`)).status, 200);
      } finally {
        await rm(packs);
      }
      assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200);
      assert.equal(await count(it_.db, 'blocks'), 1);
      assert.equal((await referencedPacks(it_.db)).length, 1);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
    });

    it('answers 503 when the metadata row cannot be written, shows no block, and stores the resend once', async () => {
      await it_.db.store.query(`CREATE FUNCTION refuse_blocks() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$`);
      await it_.db.store.query('CREATE TRIGGER refuse BEFORE INSERT ON blocks FOR EACH ROW EXECUTE FUNCTION refuse_blocks()');
      const before = await count(it_.db, 'blocks');
      const block = sampleBlock(stream);
      try {
        const failed = await post(it_.url, 'insert_block', cbor(block));
        assert.equal(failed.status, 503, failed.text);
        assert.match(JSON.parse(failed.text).message, /disk full/);
        assert.equal(await count(it_.db, 'blocks'), before);
      } finally {
        await it_.db.store.query('DROP TRIGGER refuse ON blocks');
      }
      assert.equal((await post(it_.url, 'insert_block', cbor(block))).status, 200);
      assert.equal(await count(it_.db, 'blocks'), before + 1);
      // the pack written before the failure, which no row refers to, goes with the sweep
      assert.ok((await objectKeys(it_.os)).length > (await referencedPacks(it_.db)).length);
      await sweepUnreferencedPacks(it_);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
    });

    it('reports not ready while a dependency is down', async () => {
      const root = fileURLToPath(it_.os.uri);
      await rm(root, { recursive: true });
      await writeFile(root, 'not a directory');
      try {
        const ready = await fetch(`${it_.url}/ready`);
        assert.equal(ready.status, 503);
        assert.ok((await ready.json() as { failures: Record<string, string> }).failures['objects']);
      } finally {
        await rm(root);
      }
      assert.equal((await fetch(`${it_.url}/ready`)).status, 200);
    });
  });
}
