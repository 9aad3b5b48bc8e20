/**
 * Partitions already large stay apart when the scheduler's period ends (views/segment-refresh.ts,
 * MERGED_ENOUGH_ROWS), while the sets derived from them still end as one partition a period
 * (views/derived-set.ts), standing for all the source partitions under it: counted once, and
 * rebuilt whole when one of those changes. The threshold is set low here so that a few log lines
 * make a partition "large".
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest } from './lakehouse-fixtures.js';

const T0 = 7_000_000_000_000;
const log = (msg: string) => ({ kind: 'log' as const, ticks: T0, level: 4, target: 'large', msg });
const fileObjects = testObjectBackends.find((b) => b.name === 'file')!;

for (const metadataBackend of testMetadataBackends) {
  describe(`large partitions stay apart, their aggregates merge (${metadataBackend.name})`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let writer: TelemetryWriter;
    let lake: CatalogUnderTest;
    // A closed minute, two minutes back: its seconds and its merge are the scheduler's.
    const minute = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;

    beforeEach(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), fileObjects.open()]);
      writer = new TelemetryWriter(db.store, os.store);
      // Partitions of 2 rows or more count as large; statements build up to the present.
      lake = await openCatalog({ metadata: db.store, objects: os.store, mergedEnoughRows: 2, scheduledWindowMs: 0 });
    });

    afterEach(async () => {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    });

    /** One block of `messages` in a log stream of its own, inserted at `insertMs`. */
    const place = async (messages: readonly string[], insertMs: number) => {
      const proc = await writer.process();
      const stream = await writer.stream(proc, ['log']);
      const block = await writer.block(proc, stream, messages.map(log));
      await writer.setInsertTime([block.block_id], new Date(insertMs));
    };
    const partitions = async (viewSet: string) => (await lake.catalog.listPartitions())
      .filter((p) => p.view_set_name === viewSet)
      .map((p) => [p.begin_insert_time.getTime() - minute, p.end_insert_time.getTime() - minute]);
    const logged = async () => {
      const files = await lake.catalog.partitionsFor('log_stats', 'global', {});
      const [row] = await readParquet(files.map((f) => f.path), 'SELECT sum(count)::INTEGER AS n FROM {files}');
      return Number(row!['n']);
    };
    const tick = async (begin: number, end: number, seconds: number) => {
      await lake.catalog.materializePartitions('log_stats', new Date(begin), new Date(end), seconds);
    };

    it('leaves large log_entries seconds apart at the minute tick, and merges their log_stats into the minute', async () => {
      await place(['a', 'b'], minute + 1_100);
      await place(['c', 'd', 'e'], minute + 2_100);
      await tick(minute + 1_000, minute + 3_000, 1);
      await tick(minute, minute + 60_000, 60);

      assert.deepEqual(await partitions('log_entries'), [[1_000, 2_000], [2_000, 3_000]], 'two rows or more a part on average: not merged');
      assert.deepEqual(await partitions('log_stats'), [[0, 60_000]], 'the aggregates of the minute in one partition');
      assert.equal(await logged(), 5);
      const [stats] = (await lake.catalog.listPartitions()).filter((p) => p.view_set_name === 'log_stats');
      assert.match(stats!.source_data_hash, /^2\./, 'it stands for both log_entries partitions');

      // The next minute tick over the same window finds nothing to do.
      const before = await lake.catalog.listPartitions();
      await tick(minute, minute + 60_000, 60);
      assert.deepEqual(await lake.catalog.listPartitions(), before);
    });

    it('rebuilds the merged log_stats minute whole when a block arrives in one of its seconds', async () => {
      await place(['a', 'b'], minute + 1_100);
      await place(['c', 'd', 'e'], minute + 2_100);
      await tick(minute + 1_000, minute + 3_000, 1);
      await tick(minute, minute + 60_000, 60);

      await place(['f'], minute + 1_500);
      assert.equal(await logged(), 6, 'the statement counts the late line once');
      assert.deepEqual(await partitions('log_stats'), [[0, 60_000]]);
      assert.deepEqual(await partitions('log_entries'), [[1_000, 2_000], [2_000, 3_000]]);
    });

    it('merges small partitions as before: log_entries and log_stats each end as the minute', async () => {
      await place(['a'], minute + 1_100);
      await place(['b'], minute + 2_100);
      await tick(minute + 1_000, minute + 3_000, 1);
      await tick(minute, minute + 60_000, 60);

      assert.deepEqual(await partitions('log_entries'), [[0, 60_000]]);
      assert.deepEqual(await partitions('log_stats'), [[0, 60_000]]);
      assert.equal(await logged(), 2);
    });
  });
}
