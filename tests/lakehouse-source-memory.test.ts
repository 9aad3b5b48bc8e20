/**
 * Queries over global instances summarize only the open insert seconds and remember the closed
 * ones (views/source-memory.ts): what is remembered must never hide a change. A deleted block, a
 * partition of another schema and a block committed late by a transaction begun seconds ago all
 * show in the next query.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import { SourceBlocks } from '@micromegas/backend/views/source-blocks';
import { SourceMemory } from '@micromegas/backend/views/source-memory';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest, type TestProcess } from './lakehouse-fixtures.js';
import { openTransaction } from './open-transaction.js';

const log = (p: TestProcess, afterMs: number, msg: string) => ({ kind: 'log' as const, ticks: p.start_ticks + Math.round(afterMs * 2_400_001), level: 4, target: 'memory', msg });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const metadataBackend of testMetadataBackends) {
  describe(`lakehouse source memory (${metadataBackend.name})`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let lake: CatalogUnderTest;
    let writer: TelemetryWriter;
    let proc: TestProcess;
    let stream: string;

    before(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), testObjectBackends.find((b) => b.name === 'file')!.open()]);
      writer = new TelemetryWriter(db.store, os.store);
      lake = await openCatalog({ metadata: db.store, objects: os.store });
      proc = await writer.process({ start_time_ns: BigInt(Date.now() - 10_000) * 1_000_000n });
      stream = await writer.stream(proc, ['log']);
    });

    after(async () => {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    });

    const range = () => ({ begin: new Date(Date.now() - 60_000), end: new Date(Date.now() + 60_000) });
    const messages = async (target = 'memory') => {
      const files = await lake.catalog.partitionsFor('log_entries', 'global', range());
      return (await readParquet(files.map((f) => f.path), `SELECT msg FROM {files} WHERE target = '${target}' ORDER BY time`)).map((r) => r['msg']);
    };

    it('closed seconds are answered from memory; a deleted block and a partition of another schema still show', async () => {
      const kept = await writer.block(proc, stream, [log(proc, 1, 'kept')]);
      const deleted = await writer.block(proc, stream, [log(proc, 2, 'deleted')]);
      await writer.setInsertTime([kept.block_id, deleted.block_id], new Date(Date.now() - 20_000));
      assert.deepEqual(await messages(), ['kept', 'deleted']);
      assert.deepEqual(await messages(), ['kept', 'deleted']);

      const memory = new SourceMemory(db.store, new SourceBlocks(db.store));
      const selection = { filter: { kind: 'global' as const }, streamTag: 'log' };
      assert.ok(await memory.view(selection, 60, range()), 'the memory answers for a range after what it knows');
      const [summary] = await (await memory.view(selection, 60, range()))!.summaries(60, {});
      assert.match(summary!.hash, /^2\./, 'both closed blocks are remembered');

      await db.store.query('DELETE FROM blocks WHERE block_id = $1', [deleted.block_id]);
      assert.deepEqual(await messages(), ['kept'], 'a delete makes the remembered seconds stale');
      const [after] = await (await memory.view(selection, 60, range()) ?? await memory.view(selection, 60, range()))!.summaries(60, {});
      assert.match(after!.hash, /^1\./);

      await db.store.query(`UPDATE lakehouse_partitions SET file_schema_hash = 'another' WHERE view_set_name = 'log_entries'`);
      assert.deepEqual(await messages(), ['kept']);
      const hashes = await db.store.query<{ file_schema_hash: string }>(`SELECT file_schema_hash FROM lakehouse_partitions WHERE view_set_name = 'log_entries'`);
      assert.ok(hashes.every((p) => p.file_schema_hash !== 'another'), 'partitions of another schema are rebuilt');
    });

    it('a query adds the blocks inserted since the last one as a piece: no second built twice, pieces merged by the minute', async () => {
      const pieces = await writer.stream(proc, ['log']);
      const second = Math.floor(Date.now() / 1000) * 1000 - 30_000;
      const place = async (afterMs: number, msg: string, insertMs: number) => {
        const block = await writer.block(proc, pieces, [{ ...log(proc, afterMs, msg), target: 'pieces' }]);
        await writer.setInsertTime([block.block_id], new Date(second + insertMs));
      };
      const inSecond = async () => (await lake.catalog.listPartitions())
        .filter((p) => p.view_set_name === 'log_entries' && p.view_instance_id === 'global' && p.begin_insert_time.getTime() >= second && p.end_insert_time.getTime() <= second + 1000)
        .map((p) => ({ range: [p.begin_insert_time.getTime() - second, p.end_insert_time.getTime() - second], rows: p.num_rows, updated: p.updated.getTime() }));
      const piecesMessages = () => messages('pieces');

      await place(4, 'piece-a', 100);
      assert.deepEqual(await piecesMessages(), ['piece-a']);
      const [first] = await inSecond();
      assert.deepEqual(first!.range, [0, 101], 'the partition ends just after its last block, not at the end of its second');

      await place(5, 'piece-b', 600);
      assert.deepEqual(await piecesMessages(), ['piece-a', 'piece-b']);
      const two = await inSecond();
      assert.deepEqual(two.map((p) => [p.range, p.rows]), [[[0, 101], 1], [[101, 601], 1]], 'the later block is a piece of its own');
      assert.equal(two[0]!.updated, first!.updated, 'the first piece is not built again');

      await place(3, 'piece-early', 50);
      assert.deepEqual(await piecesMessages(), ['piece-early', 'piece-a', 'piece-b'], 'a block landing in a piece makes it stale');
      const three = await inSecond();
      assert.deepEqual(three.map((p) => [p.range, p.rows]), [[[0, 101], 2], [[101, 601], 1]]);
      assert.equal(three[1]!.updated, two[1]!.updated, 'only the stale piece is rebuilt');

      await lake.catalog.materializePartitions('log_entries', new Date(second), new Date(second + 1000), 1);
      assert.deepEqual((await inSecond()).map((p) => p.range), [[0, 101], [101, 601]], 'the second tick leaves the pieces to the minute');
      const minute = Math.floor(second / 60_000) * 60_000;
      await lake.catalog.materializePartitions('log_entries', new Date(minute), new Date(minute + 60_000), 60);
      const merged = (await lake.catalog.listPartitions()).filter((p) => p.view_set_name === 'log_entries' && p.view_instance_id === 'global'
        && p.begin_insert_time.getTime() <= second && p.end_insert_time.getTime() >= second + 1000);
      assert.deepEqual(merged.map((p) => p.end_insert_time.getTime() - p.begin_insert_time.getTime()), [60_000], 'the minute merges them');
      assert.deepEqual(await piecesMessages(), ['piece-early', 'piece-a', 'piece-b']);
    });

    if (metadataBackend.name === 'postgres') {
      it('a second stays open while a transaction begun in it may still insert a block there', async () => {
        const late = await openTransaction(db.options.kind === 'postgres' ? db.options.schema! : '');
        await late.executor.query('SELECT now()');
        await sleep(2500);
        assert.deepEqual(await messages(), ['kept'], 'nothing committed yet');
        // The writer only runs its statements through query(): here, in the open transaction.
        await new TelemetryWriter(late.executor as MetadataStore, os.store).block(proc, stream, [log(proc, 3, 'late')]);
        await late.commit();
        assert.deepEqual(await messages(), ['kept', 'late'], 'the block committed late, seconds back, is in the next query');
      });
    }
  });
}
