/**
 * A merge of event views concatenates its parts instead of sorting them again (most of its cost): the
 * merged file holds every row once, the parts in order of their earliest event (PGlite and
 * PostgreSQL, file store).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testMetadataBackends } from '@micromegas/backend/lake/metadata/test-stores';
import { openFileLake, readParquet, type CatalogUnderTest, type TelemetryWriter } from './lakehouse-fixtures.js';

/** Ten o'clock yesterday: a minute in the past. */
const H = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);

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
    });
  });
}
