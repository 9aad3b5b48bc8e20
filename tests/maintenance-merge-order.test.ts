/**
 * A merge of event views concatenates its parts instead of sorting them again (most of its cost): the
 * merged file holds every row once, the parts in order of their earliest event; parts of full enough
 * row groups are not even decoded, their row groups copied as they are, unless their files' schemas
 * differ (PGlite and PostgreSQL, file store).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { CONCATENATED_PART_ROWS } from '@micromegas/backend/views/partition-merger';
import { testMetadataBackends } from '@micromegas/backend/lake/metadata/test-stores';
import { openFileLake, readParquet, type CatalogUnderTest, type TelemetryWriter } from './lakehouse-fixtures.js';

/** Ten o'clock yesterday: a minute in the past. */
const H = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);

/** A Parquet file's row groups and their row counts. */
function rowGroups(file: string): Promise<Record<string, unknown>[]> {
  return readParquet([file], `SELECT DISTINCT row_group_id::INT AS g, row_group_num_rows::INT AS n FROM parquet_metadata('${file}') ORDER BY g`);
}

for (const metadataBackend of testMetadataBackends) {
  describe(`merging partitions (${metadataBackend.name})`, () => {
    let close: () => Promise<void>;
    let lake: CatalogUnderTest;
    let writer: TelemetryWriter;
    before(async () => { ({ lake, writer, close } = await openFileLake(metadataBackend)); });
    after(async () => { await close(); });

    it('concatenates second partitions into the minute in order of their earliest event', async () => {
      const p = await writer.process();
      const stream = await writer.stream(p, ['log']);
      const tps = p.tsc_frequency;
      const logs = (seconds: number[]) => seconds.map((s) => ({ kind: 'log' as const, ticks: p.start_ticks + s * tps, level: 4, target: 'game', msg: `at ${s}` }));
      // The part inserted second starts earlier, and the parts overlap in time: concatenated, not interleaved.
      const wide = await writer.block(p, stream, logs([1, 10]));
      const narrow = await writer.block(p, stream, logs([5, 6]));
      await writer.setInsertTime([narrow.block_id], at(0.5));
      await writer.setInsertTime([wide.block_id], at(1.5));
      const catalog = lake.catalog;
      assert.equal(await catalog.materializePartitions('log_entries', at(0), at(2), 1), 2);
      assert.equal(await catalog.materializePartitions('log_entries', at(0), at(60), 60), 1);
      const merged = (await catalog.listPartitions()).filter((r) => r.view_set_name === 'log_entries' && r.view_instance_id === 'global');
      assert.deepEqual(merged.map((r) => [r.begin_insert_time, r.end_insert_time, r.num_rows]), [[at(0), at(60), 4]]);
      const objectsDir = fileURLToPath(writer.objects.uri);
      const rows = await readParquet([join(objectsDir, ...merged[0]!.file_path.split('/'))], 'SELECT msg FROM {files}');
      assert.deepEqual(rows.map((r) => r['msg']), ['at 1', 'at 10', 'at 5', 'at 6']);
      assert.deepEqual(await rowGroups(join(objectsDir, ...merged[0]!.file_path.split('/'))), [{ g: 0, n: 4 }]);
    });

    /** Two second partitions of log_entries at minute `minute`, of `n` rows each (the later one's events first), built; their files. */
    async function largeParts(minute: number, n: number): Promise<{ files: string[]; bounds: [string, string] }> {
      const p = await writer.process();
      const stream = await writer.stream(p, ['log']);
      const logs = (from: number) => Array.from({ length: n }, (_, i) => ({ kind: 'log' as const, ticks: p.start_ticks + Math.round((from + i / n) * p.tsc_frequency), level: 4, target: 'game', msg: `${from}/${i}` }));
      const [late, early] = [await writer.block(p, stream, logs(minute * 60 + 20)), await writer.block(p, stream, logs(minute * 60 + 10))];
      await writer.setInsertTime([late.block_id], at(minute * 60 + 0.5));
      await writer.setInsertTime([early.block_id], at(minute * 60 + 1.5));
      assert.equal(await lake.catalog.materializePartitions('log_entries', at(minute * 60), at(minute * 60 + 2), 1), 2);
      const parts = (await lake.catalog.listPartitions()).filter((r) => r.view_set_name === 'log_entries' && r.begin_insert_time >= at(minute * 60) && r.end_insert_time <= at(minute * 60 + 2));
      const bounds: [string, string] = [
        new Date(Math.min(...parts.map((r) => r.min_event_time.getTime()))).toISOString(),
        new Date(Math.max(...parts.map((r) => r.max_event_time.getTime()))).toISOString()];
      return { files: parts.map((r) => join(fileURLToPath(writer.objects.uri), ...r.file_path.split('/'))), bounds };
    }

    async function mergeMinute(minute: number): Promise<{ file: string; partition: { num_rows: number; min_event_time: Date; max_event_time: Date } }> {
      assert.equal(await lake.catalog.materializePartitions('log_entries', at(minute * 60), at(minute * 60 + 60), 60), 1);
      const [merged] = (await lake.catalog.listPartitions()).filter((r) => r.view_set_name === 'log_entries' && r.begin_insert_time.getTime() === at(minute * 60).getTime());
      return { file: join(fileURLToPath(writer.objects.uri), ...merged!.file_path.split('/')), partition: merged! };
    }

    it('copies the row groups of parts of full enough row groups into the merged file as they are', async () => {
      const n = CONCATENATED_PART_ROWS + 100;
      const parts = await largeParts(2, n);
      const partRows = await readParquet(parts.files, 'SELECT count(*)::INT AS n, min(time)::VARCHAR AS lo, max(time)::VARCHAR AS hi FROM {files}');
      const { file, partition } = await mergeMinute(2);
      // Each part is one row group of n rows; rewritten, 2n rows would be one row group too.
      assert.deepEqual(await rowGroups(file), [{ g: 0, n }, { g: 1, n }]);
      const rows = await readParquet([file], 'SELECT msg FROM {files}');
      assert.equal(rows.length, 2 * n);
      assert.deepEqual([rows[0]!['msg'], rows[n - 1]!['msg'], rows[n]!['msg']], ['130/0', `130/${n - 1}`, '140/0']);
      assert.deepEqual(await readParquet([file], 'SELECT count(*)::INT AS n, min(time)::VARCHAR AS lo, max(time)::VARCHAR AS hi FROM {files}'), partRows);
      assert.equal(partition.num_rows, 2 * n);
      assert.deepEqual([partition.min_event_time.toISOString(), partition.max_event_time.toISOString()], parts.bounds);
    });

    it('rewrites the rows of parts whose files were written with different schemas', async () => {
      const n = CONCATENATED_PART_ROWS + 100;
      const [first] = (await largeParts(3, n)).files;
      // As an older writer might have: the same rows, one column of another physical type.
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        await connection.run(`COPY (SELECT * REPLACE (level::BIGINT AS level) FROM read_parquet('${first}')) TO '${first}.other' (FORMAT parquet)`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
      await rename(`${first}.other`, first!);
      const { file, partition } = await mergeMinute(3);
      assert.deepEqual(await rowGroups(file), [{ g: 0, n: 2 * n }]);
      assert.deepEqual(await readParquet([file], 'SELECT count(DISTINCT msg)::INT AS n, typeof(any_value(level)) AS t FROM {files}'), [{ n: 2 * n, t: 'INTEGER' }]);
      assert.equal(partition.num_rows, 2 * n);
    });
  });
}
