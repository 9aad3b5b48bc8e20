/**
 * Just-in-time materialization: stale partitions are rebuilt when blocks arrive, time ranges prune
 * partitions, concurrent queries build a partition once, remote partitions go through the cache,
 * and the admin calls materialize and retire.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '@micromegas/backend/query/engine';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest } from './lakehouse-fixtures.js';

const HOUR_TICKS = 2_400_000_001 * 3600;
const T0 = 7_000_000_000_000 + HOUR_TICKS;
const log = (ticks: number, msg: string) => ({ kind: 'log' as const, ticks, level: 4, target: 'jit', msg });

for (const metadataBackend of testMetadataBackends) {
  for (const objectBackend of testObjectBackends) {
    describe(`lakehouse JIT (${metadataBackend.name} + ${objectBackend.name})`, () => {
      let db: TestMetadataStore;
      let os: TestObjectStore;
      let lake: CatalogUnderTest;
      let writer: TelemetryWriter;

      before(async () => {
        [db, os] = await Promise.all([metadataBackend.open(), objectBackend.open()]);
        writer = new TelemetryWriter(db.store, os.store);
        lake = await openCatalog({ metadata: db.store, objects: os.store });
      });

      after(async () => {
        await lake.close();
        await Promise.all([db.drop(), os.drop()]);
      });

      const messages = async (processId: string, range = {}) => {
        const files = await lake.catalog.partitionsFor('log_entries', processId, range);
        return (await readParquet(files.map((f) => f.path), 'SELECT msg FROM {files} ORDER BY time')).map((r) => r['msg']);
      };
      const partitionsOf = async (set: string, instance: string) =>
        (await lake.catalog.listPartitions()).filter((p) => p.view_set_name === set && p.view_instance_id === instance);

      it('a block arriving after a query is in the next query: its second rebuilt, a later second added, never a duplicate', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        const second = Math.floor(Date.now() / 1000) * 1000 - 30_000;
        const place = async (events: ReturnType<typeof log>[], insertMs: number) => {
          const block = await writer.block(proc, stream, events);
          await writer.setInsertTime([block.block_id], new Date(insertMs));
        };
        await place([log(T0, 'first')], second + 100);
        assert.deepEqual(await messages(proc.process_id), ['first']);
        const [before] = await partitionsOf('log_entries', proc.process_id);
        assert.deepEqual([before!.begin_insert_time.getTime(), before!.end_insert_time.getTime()], [second, second + 1000],
          'a query covers just the second holding the block, not the future');
        assert.deepEqual(await messages(proc.process_id), ['first'], 'an up-to-date partition is reused');
        assert.equal((await partitionsOf('log_entries', proc.process_id))[0]!.updated.getTime(), before!.updated.getTime());

        // In the same second: that partition is stale, and rebuilt.
        await place([log(T0 + 10, 'second'), log(T0 + 20, 'third')], second + 900);
        assert.deepEqual(await messages(proc.process_id), ['first', 'second', 'third']);
        const rebuilt = await partitionsOf('log_entries', proc.process_id);
        assert.deepEqual(rebuilt.map((p) => p.num_rows), [3]);
        assert.notEqual(rebuilt[0]!.source_data_hash, before!.source_data_hash);
        const expired = await db.store.query<{ file_path: string }>('SELECT file_path FROM lakehouse_expired_files');
        assert.ok(expired.some((e) => e.file_path === before!.file_path), 'the replaced file is expired, not leaked');

        // Seconds later: a partition of its own; the current one is left as it is.
        await place([log(T0 + 30, 'fourth')], second + 5_500);
        assert.deepEqual(await messages(proc.process_id), ['first', 'second', 'third', 'fourth']);
        const added = await partitionsOf('log_entries', proc.process_id);
        assert.deepEqual(added.map((p) => [p.begin_insert_time.getTime() - second, p.end_insert_time.getTime() - second, p.num_rows]),
          [[0, 1000, 3], [5000, 6000, 1]]);
        assert.equal(added[0]!.updated.getTime(), rebuilt[0]!.updated.getTime());
        const blocks = await lake.catalog.partitionsFor('blocks', 'global', {});
        const [listed] = await readParquet(blocks.map((f) => f.path), `SELECT count(*)::INTEGER AS n FROM {files} WHERE process_id = '${proc.process_id}'`);
        assert.deepEqual(listed, { n: 3 }, 'the blocks view is refreshed the same way');
      });

      it('a time range prunes partitions by event time and still returns every row inside it', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        const early = await writer.block(proc, stream, [log(T0, 'early-1'), log(T0 + 5, 'early-2')]);
        const late = await writer.block(proc, stream, [log(T0 + 5 * HOUR_TICKS, 'late')]);
        await writer.setInsertTime([early.block_id], new Date(Date.now() - 2 * 3_600_000));
        await writer.setInsertTime([late.block_id], new Date(Date.now() - 3_600_000));
        const startMs = Number(proc.start_time_ns / 1_000_000n);
        const firstHour = { begin: new Date(startMs + 3_600_000 - 1000), end: new Date(startMs + 2 * 3_600_000) };
        const files = await lake.catalog.partitionsFor('log_entries', proc.process_id, firstHour);
        assert.equal(files.length, 1);
        assert.equal(files[0]!.numRows, 2);
        assert.ok(files[0]!.minEventTime.getTime() <= startMs + 3_600_000 && files[0]!.maxEventTime >= files[0]!.minEventTime);
        assert.deepEqual(await messages(proc.process_id, firstHour), ['early-1', 'early-2']);
        assert.equal((await lake.catalog.partitionsFor('log_entries', proc.process_id, {})).length, 2);
        const later = { begin: new Date(startMs + 5 * 3_600_000), end: new Date(startMs + 7 * 3_600_000) };
        assert.deepEqual(await messages(proc.process_id, later), ['late']);
      });

      it('concurrent queries build a partition once', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        await writer.block(proc, stream, [log(T0, 'once')]);
        const builtBefore = lake.catalog.materializer.stats.built;
        const all = await Promise.all([1, 2, 3, 4].map(() => lake.catalog.partitionsFor('log_entries', proc.process_id, {})));
        assert.ok(all.every((files) => files.length === 1 && files[0]!.path === all[0]![0]!.path));
        assert.equal(lake.catalog.materializer.stats.built - builtBefore, 1);
        assert.equal((await partitionsOf('log_entries', proc.process_id)).length, 1);
      });

      it(objectBackend.name === 'file' ? 'file:// partitions are read in place' : 'remote partitions are read through the local cache', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        await writer.block(proc, stream, [log(T0, 'cached')]);
        const [file] = await lake.catalog.partitionsFor('log_entries', proc.process_id, {});
        const inCache = file!.path.startsWith(lake.cacheDir);
        assert.equal(inCache, objectBackend.name !== 'file');
        assert.deepEqual(await messages(proc.process_id), ['cached']);
      });

      it('materialize_partitions builds global partitions over an insert range; retire_partitions removes them', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        const blocks = [await writer.block(proc, stream, [log(T0, 'm1')]), await writer.block(proc, stream, [log(T0 + 1, 'm2')])];
        const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
        await writer.setInsertTime([blocks[0]!.block_id], new Date(base + 1000));
        await writer.setInsertTime([blocks[1]!.block_id], new Date(base + 61_000));
        const built = await lake.catalog.materializePartitions('log_entries', new Date(base), new Date(base + 120_000), 60);
        assert.equal(built, 2);
        const global = (await partitionsOf('log_entries', 'global')).filter((p) => p.begin_insert_time.getTime() >= base && p.begin_insert_time.getTime() < base + 120_000);
        assert.deepEqual(global.map((p) => p.num_rows), [1, 1]);
        assert.equal(await lake.catalog.materializePartitions('log_entries', new Date(base), new Date(base + 120_000), 60), 0, 'up to date: nothing rebuilt');
        assert.equal(await lake.catalog.retirePartitions('log_entries', 'global', new Date(base), new Date(base + 120_000)), 2);
        assert.equal((await partitionsOf('log_entries', 'global')).filter((p) => p.begin_insert_time.getTime() >= base && p.begin_insert_time.getTime() < base + 120_000).length, 0);
      });

      it('a wider partition (maintenance merged an hour) serves JIT queries while current and is rebuilt whole when stale', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
        const first = await writer.block(proc, stream, [log(T0, 'h1')]);
        const second = await writer.block(proc, stream, [log(T0 + 1000, 'h2')]);
        await writer.setInsertTime([first.block_id], new Date(hour + 5_000));
        await writer.setInsertTime([second.block_id], new Date(hour + 1_805_000));
        assert.equal(await lake.catalog.materializePartitions('log_entries', new Date(hour), new Date(hour + 3_600_000), 3600), 1);
        const built = lake.catalog.materializer.stats.built;
        const files = await lake.catalog.partitionsFor('log_entries', 'global', {});
        const inHour = (await partitionsOf('log_entries', 'global')).filter((p) => p.begin_insert_time.getTime() >= hour && p.begin_insert_time.getTime() < hour + 3_600_000);
        assert.deepEqual(inHour.map((p) => [p.end_insert_time.getTime() - p.begin_insert_time.getTime(), p.num_rows]), [[3_600_000, 2]]);
        assert.ok(files.some((f) => f.path.endsWith('.parquet') && f.numRows === 2));
        const late = await writer.block(proc, stream, [log(T0 + 2000, 'h3')]);
        await writer.setInsertTime([late.block_id], new Date(hour + 3_000_000));
        await lake.catalog.partitionsFor('log_entries', 'global', {});
        const rebuilt = (await partitionsOf('log_entries', 'global')).filter((p) => p.begin_insert_time.getTime() >= hour && p.begin_insert_time.getTime() < hour + 3_600_000);
        assert.deepEqual(rebuilt.map((p) => [p.end_insert_time.getTime() - p.begin_insert_time.getTime(), p.num_rows]), [[3_600_000, 3]]);
        assert.ok(lake.catalog.materializer.stats.built > built);
      });

      it('merges narrower partitions into a wider one from their files in the store, decoding no block', async () => {
        const proc = await writer.process();
        const stream = await writer.stream(proc, ['log']);
        const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 8 * 3_600_000; // an hour no other test writes in
        for (const [i, second] of [10, 70, 130].entries()) {
          const block = await writer.block(proc, stream, [log(T0 + i, `merged-${i}`)]);
          await writer.setInsertTime([block.block_id], new Date(hour + second * 1000));
        }
        const inHour = async () => (await partitionsOf('log_entries', 'global'))
          .filter((p) => p.begin_insert_time.getTime() >= hour && p.begin_insert_time.getTime() < hour + 3_600_000);
        assert.equal(await lake.catalog.materializePartitions('log_entries', new Date(hour), new Date(hour + 3_600_000), 60), 3);
        const decoded = lake.catalog.materializer.stats.events;
        assert.equal(await lake.catalog.materializePartitions('log_entries', new Date(hour), new Date(hour + 3_600_000), 3600), 1);
        assert.equal(lake.catalog.materializer.stats.events, decoded);
        const [merged] = await inHour();
        assert.deepEqual([(await inHour()).length, merged!.end_insert_time.getTime() - merged!.begin_insert_time.getTime(), merged!.num_rows], [1, 3_600_000, 3]);
        const files = await lake.catalog.partitionsFor('log_entries', 'global', {});
        const rows = await readParquet(files.map((f) => f.path),
          "SELECT msg, typeof(process_properties) AS stored, process_properties FROM {files} WHERE msg LIKE 'merged-%' ORDER BY msg");
        assert.deepEqual(rows.map((r) => r['msg']), ['merged-0', 'merged-1', 'merged-2']);
        // The merge copies the JSON-stored column as it is, still the process's own list.
        for (const row of rows) {
          assert.equal(row['stored'], 'VARCHAR');
          assert.deepEqual(JSON.parse(String(row['process_properties'])), proc.properties);
        }
      });

      it('unknown view sets and missing instances are not_found errors', async () => {
        const notFound = (err: unknown) => err instanceof QueryError && err.code === 'not_found';
        await assert.rejects(lake.catalog.partitionsFor('nope', 'global', {}), notFound);
        await assert.rejects(lake.catalog.partitionsFor('thread_spans', 'global', {}), notFound);
        await assert.rejects(lake.catalog.partitionsFor('processes', 'some-process', {}), notFound);
      });
    });
  }
}

describe('lakehouse with a malformed block', () => {
  it('skips the bad block, reports it, and materializes the others', async () => {
    const db = await testMetadataBackends.find((b) => b.name === 'pglite')!.open();
    const os = await testObjectBackends.find((b) => b.name === 'file')!.open();
    const skipped: string[] = [];
    const lake = await openCatalog({ metadata: db.store, objects: os.store, onSkippedBlock: ({ block, error }) => skipped.push(`${block.block_id}: ${error.name}`) });
    try {
      const writer = new TelemetryWriter(db.store, os.store);
      const proc = await writer.process();
      const stream = await writer.stream(proc, ['log']);
      await writer.block(proc, stream, [log(T0, 'good')]);
      const bad = await writer.corruptBlock(proc, stream);
      const files = await lake.catalog.partitionsFor('log_entries', proc.process_id, {});
      assert.deepEqual((await readParquet(files.map((f) => f.path), 'SELECT msg FROM {files}')).map((r) => r['msg']), ['good']);
      assert.deepEqual(skipped, [`${bad}: WireFormatError`]);
    } finally {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    }
  });
});

describe('lakehouse view sets', () => {
  it('lists every view set with its instance kind and time column', async () => {
    const backend = testMetadataBackends.find((b) => b.name === 'pglite')!;
    const db = await backend.open();
    const os = await testObjectBackends.find((b) => b.name === 'file')!.open();
    const lake = await openCatalog({ metadata: db.store, objects: os.store });
    try {
      const sets = lake.catalog.viewSets().map((s) => [s.name, s.hasGlobal, s.instanceKind, s.timeColumn]);
      assert.deepEqual(sets.sort(), [
        ['async_events', false, 'process_id', 'time'],
        ['blocks', true, null, 'insert_time'],
        ['log_entries', true, 'process_id', 'time'],
        ['log_stats', true, null, 'time_bin'],
        ['measure_stats', true, null, 'time_bin'],
        ['measures', true, 'process_id', 'time'],
        ['otel_spans', true, 'process_id', 'start_time'],
        ['processes', true, null, 'insert_time'],
        ['streams', true, null, 'insert_time'],
        ['thread_spans', false, 'stream_id', 'begin'],
      ]);
    } finally {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    }
  });
});
