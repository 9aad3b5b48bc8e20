/**
 * A statement over a busy global instance leaves the blocks inserted after the scheduler's newest
 * partition to the scheduler while that partition is recent, and builds up to the present when it is
 * not (no scheduler, or one that fell behind): views/scheduled-until.ts.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest } from './lakehouse-fixtures.js';

const T0 = 7_000_000_000_000;
const log = (msg: string) => ({ kind: 'log' as const, ticks: T0, level: 4, target: 'scheduled', msg });
const fileObjects = testObjectBackends.find((b) => b.name === 'file')!;

for (const metadataBackend of testMetadataBackends) {
  describe(`statements and the scheduler's partitions (${metadataBackend.name})`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let writer: TelemetryWriter;
    let lakes: CatalogUnderTest[] = [];

    // A lake of its own for each test: the newest scheduled second must be the test's own.
    beforeEach(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), fileObjects.open()]);
      writer = new TelemetryWriter(db.store, os.store);
    });

    afterEach(async () => {
      for (const lake of lakes) await lake.close();
      lakes = [];
      await Promise.all([db.drop(), os.drop()]);
    });

    const lakeWithWindow = async (scheduledWindowMs: number) => {
      const lake = await openCatalog({ metadata: db.store, objects: os.store, scheduledWindowMs });
      lakes.push(lake);
      return lake;
    };
    /** A process of its own whose one log stream gets `msg` in a block inserted at `insertMs`. */
    const place = async (msg: string, insertMs: number) => {
      const proc = await writer.process();
      const stream = await writer.stream(proc, ['log']);
      const block = await writer.block(proc, stream, [log(msg)]);
      await writer.setInsertTime([block.block_id], new Date(insertMs));
      return proc.process_id;
    };
    const globalMessages = async (lake: CatalogUnderTest, processes: readonly string[]) => {
      const files = await lake.catalog.partitionsFor('log_entries', 'global', {});
      const rows = await readParquet(files.map((f) => f.path), 'SELECT process_id, msg FROM {files} ORDER BY msg');
      return rows.filter((r) => processes.includes(String(r['process_id']))).map((r) => r['msg']);
    };
    const loggedCount = async (lake: CatalogUnderTest, processes: readonly string[]) => {
      const files = await lake.catalog.partitionsFor('log_stats', 'global', {});
      const rows = await readParquet(files.map((f) => f.path), 'SELECT process_id, sum(count)::INTEGER AS n FROM {files} GROUP BY process_id');
      return rows.filter((r) => processes.includes(String(r['process_id']))).reduce((n, r) => n + Number(r['n']), 0);
    };

    it('leaves the blocks after a recent scheduled second to the scheduler, then shows them once it built them', async () => {
      // A wide window: the test's own pace must not decide whether the scheduler counts as recent.
      const lake = await lakeWithWindow(600_000);
      const second = Math.floor(Date.now() / 1000) * 1000 - 20_000;
      const processes = [await place('a', second + 100), await place('b', second + 1100)];
      assert.equal(await lake.catalog.materializePartitions('log_entries', new Date(second), new Date(second + 1000), 1), 1);
      assert.equal(await lake.catalog.materializePartitions('log_stats', new Date(second), new Date(second + 1000), 1), 1);

      assert.deepEqual(await globalMessages(lake, processes), ['a'], 'the next second is the scheduler\'s to build');
      assert.equal(await loggedCount(lake, processes), 1, 'log_stats follows the same rule');
      const built = (await lake.catalog.listPartitions()).filter((p) => p.view_set_name === 'log_entries' && p.end_insert_time.getTime() > second + 1000);
      assert.deepEqual(built, [], 'the statement built nothing after the scheduled second');

      await lake.catalog.materializePartitions('log_stats', new Date(second + 1000), new Date(second + 2000), 1);
      assert.deepEqual(await globalMessages(lake, processes), ['a', 'b']);
      assert.equal(await loggedCount(lake, processes), 2);
    });

    it('builds up to the present when the newest scheduled partition is older than the window', async () => {
      const lake = await lakeWithWindow(5_000);
      const now = Math.floor(Date.now() / 1000) * 1000;
      const old = now - 120_000;
      const processes = [await place('c', old + 100)];
      await lake.catalog.materializePartitions('log_stats', new Date(old), new Date(old + 1000), 1);
      processes.push(await place('d', now - 10_000), await place('e', now - 200));
      assert.deepEqual(await globalMessages(lake, processes), ['c', 'd', 'e']);
      assert.equal(await loggedCount(lake, processes), 3);
    });

    it('with a window of 0, statements always build up to the present', async () => {
      const lake = await lakeWithWindow(0);
      const now = Math.floor(Date.now() / 1000) * 1000;
      const processes = [await place('f', now - 3000)];
      await lake.catalog.materializePartitions('log_stats', new Date(now - 3000), new Date(now - 2000), 1);
      processes.push(await place('g', now - 1500));
      assert.deepEqual(await globalMessages(lake, processes), ['f', 'g']);
      assert.equal(await loggedCount(lake, processes), 2);
    });

    it('derives log_stats from every log_entries partition there is, so both answer for the same lines', async () => {
      const lake = await lakeWithWindow(600_000);
      const second = Math.floor(Date.now() / 1000) * 1000 - 20_000;
      const processes = [await place('h', second + 100), await place('i', second + 1100)];
      // The scheduler's tick built both seconds of log_entries, and log_stats' first second only.
      assert.equal(await lake.catalog.materializePartitions('log_entries', new Date(second), new Date(second + 2000), 1), 2);
      assert.equal(await lake.catalog.materializePartitions('log_stats', new Date(second), new Date(second + 1000), 1), 1);
      assert.deepEqual(await globalMessages(lake, processes), ['h', 'i']);
      assert.equal(await loggedCount(lake, processes), 2, 'the statement derived the second log_entries already holds');
    });
  });
}
