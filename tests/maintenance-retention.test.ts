/**
 * Retention over the real storage layer (PostgreSQL and PGlite, file object store, partitions built
 * by the lakehouse): exactly the expired blocks, payloads, streams, processes and partitions go;
 * nothing is left dangling; the dry run predicts the real run and changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { applyRetention, type RetentionReport } from '@micromegas/backend/maintenance/retention/retention';
import { openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess } from './lakehouse-fixtures.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const DAY = 86_400_000;
/** Past the grace period of everything expired during the test, and of the claims on new packs (an hour, by the database clock). */
const GRACE_PASSED = 2 * 3_600_000;

function logs(p: TestProcess, count: number, level = 4): TestEvent[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'log', ticks: p.start_ticks + 1000 * (i + 1), level, target: 'game', msg: `m${i}` }));
}

async function keys(os: TestObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const key of os.store.list('')) out.push(key);
  return out.sort();
}

async function column(db: TestMetadataStore, sql: string): Promise<string[]> {
  const rows = await db.store.query<{ v: string }>(sql);
  return rows.map((r) => r.v).sort();
}

async function snapshot(db: TestMetadataStore, os: TestObjectStore) {
  return {
    blocks: await column(db, 'SELECT block_id AS v FROM blocks'),
    streams: await column(db, 'SELECT stream_id AS v FROM streams'),
    processes: await column(db, 'SELECT process_id AS v FROM processes'),
    partitions: await column(db, `SELECT view_set_name || '/' || view_instance_id || '/' || begin_insert_time::text AS v FROM lakehouse_partitions`),
    expired: await column(db, 'SELECT file_path AS v FROM lakehouse_expired_files'),
    objects: await keys(os),
  };
}

for (const metadataBackend of testMetadataBackends) {
  describe(`retention (${metadataBackend.name})`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let lake: CatalogUnderTest;
    const now = new Date();
    const old = new Date(now.getTime() - 100 * DAY);
    const cutoff = new Date(now.getTime() - 90 * DAY);
    const expected = { blocks: [] as string[], streams: [] as string[], processes: [] as string[], payloads: [] as string[] };
    let expiredBytes = 0;

    before(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
      lake = await openCatalog({ metadata: db.store, objects: os.store });
      const w = new TelemetryWriter(db.store, os.store);
      const ageRows = async (table: 'processes' | 'streams', key: string, ids: string[]) => {
        await db.store.query(`UPDATE ${table} SET insert_time = $1 WHERE ${key} = ANY($2)`, [old, ids]);
      };

      // gone: an old process whose every block is old.
      const gone = await w.process();
      const goneStream = await w.stream(gone, ['log']);
      const goneBlocks = [await w.block(gone, goneStream, logs(gone, 3)), await w.block(gone, goneStream, logs(gone, 2))];
      // kept: an old process and stream with old and recent blocks: only the old blocks go.
      const kept = await w.process();
      const keptStream = await w.stream(kept, ['log']);
      const keptOld = await w.block(kept, keptStream, logs(kept, 4));
      const keptNew = await w.block(kept, keptStream, logs(kept, 5));
      // emptied: an old process with an old empty stream (goes) and a recent stream (stays, so the process does too).
      const emptied = await w.process();
      const emptyStream = await w.stream(emptied, ['cpu']);
      const liveStream = await w.stream(emptied, ['log']);
      const liveBlock = await w.block(emptied, liveStream, logs(emptied, 1));
      // young: nothing of it is old.
      const young = await w.process();
      const youngStream = await w.stream(young, ['log']);
      const youngBlock = await w.block(young, youngStream, logs(young, 2));

      await ageRows('processes', 'process_id', [gone.process_id, kept.process_id, emptied.process_id]);
      await ageRows('streams', 'stream_id', [goneStream, keptStream, emptyStream]);
      const oldBlocks = [...goneBlocks, keptOld];
      await w.setInsertTime(oldBlocks.map((b) => b.block_id), old);
      const [row] = await db.store.query<{ bytes: number }>('SELECT sum(payload_size)::int AS bytes FROM blocks WHERE block_id = ANY($1)', [oldBlocks.map((b) => b.block_id)]);
      expiredBytes = row!.bytes;

      // Partitions over both the old and the recent inserts (log_stats also builds log_entries).
      await lake.catalog.materializePartitions('log_stats', new Date(old.getTime() - DAY), new Date(now.getTime() + DAY), 60);

      const survivors = [keptNew, liveBlock, youngBlock];
      expected.blocks = survivors.map((b) => b.block_id).sort();
      expected.streams = [keptStream, liveStream, youngStream].sort();
      expected.processes = [kept.process_id, emptied.process_id, young.process_id].sort();
      expected.payloads = await column(db, `SELECT payload_key AS v FROM blocks WHERE block_id IN ('${expected.blocks.join("', '")}')`);
    });
    after(async () => {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    });

    let dry: RetentionReport;

    it('dry run reports what would go and changes nothing', async () => {
      const before = await snapshot(db, os);
      const partitionsBefore = await lake.catalog.listPartitions();
      const oldPartitions = partitionsBefore.filter((p) => p.end_insert_time <= cutoff);
      assert.deepEqual(new Set(oldPartitions.map((p) => p.view_set_name)), new Set(['log_entries', 'log_stats']));
      dry = await applyRetention(db.store, os.store, { cutoff, now, batchSize: 2, dryRun: true });
      assert.deepEqual(await snapshot(db, os), before);
      assert.deepEqual(dry, {
        cutoff, dryRun: true, blocks: 3, blockBytes: expiredBytes, streams: 2, processes: 1,
        partitions: oldPartitions.length, partitionBytes: oldPartitions.reduce((s, p) => s + p.file_size, 0), files: 0,
      });
    });

    it('removes exactly the expired rows and partitions, in batches, as the dry run said', async () => {
      const partitionsBefore = await lake.catalog.listPartitions();
      const steps = new Set<string>();
      const report = await applyRetention(db.store, os.store, { cutoff, now, batchSize: 2, dryRun: false, onProgress: (step) => steps.add(step) });
      assert.deepEqual(report, { ...dry, dryRun: false });
      assert.deepEqual([...steps], ['blocks', 'streams', 'processes', 'partitions']);
      const after = await snapshot(db, os);
      assert.deepEqual(after.blocks, expected.blocks);
      assert.deepEqual(after.streams, expected.streams);
      assert.deepEqual(after.processes, expected.processes);
      const remaining = partitionsBefore.filter((p) => p.end_insert_time > cutoff);
      assert.deepEqual((await lake.catalog.listPartitions()).map((p) => p.file_path).sort(), remaining.map((p) => p.file_path).sort());
      // Within the grace period, expired payloads and partition files are still readable, and listed for deletion.
      const retiredFiles = partitionsBefore.filter((p) => p.end_insert_time <= cutoff && p.file_path !== '').map((p) => p.file_path);
      for (const key of retiredFiles) assert.ok(after.objects.includes(key), key);
      assert.ok(after.expired.length >= 3 + retiredFiles.length);
    });

    it('deletes the expired objects once the grace period is over, leaving exactly the live ones', async () => {
      const later = new Date(now.getTime() + GRACE_PASSED);
      const report = await applyRetention(db.store, os.store, { cutoff, now: later, batchSize: 2, dryRun: false });
      assert.equal(report.blocks + report.streams + report.processes + report.partitions, 0, 'nothing more expired');
      assert.ok(report.files >= 3);
      const after = await snapshot(db, os);
      assert.deepEqual(after.expired, []);
      const live = (await lake.catalog.listPartitions()).flatMap((p) => (p.file_path === '' ? [] : [p.file_path]));
      assert.deepEqual(after.objects, [...expected.payloads, ...live].sort());
    });

    it('is idempotent: a run with nothing to do does nothing', async () => {
      const before = await snapshot(db, os);
      const report = await applyRetention(db.store, os.store, { cutoff, now: new Date(now.getTime() + GRACE_PASSED), batchSize: 2, dryRun: false });
      assert.deepEqual({ ...report, cutoff: undefined }, { cutoff: undefined, dryRun: false, blocks: 0, blockBytes: 0, streams: 0, processes: 0, partitions: 0, partitionBytes: 0, files: 0 });
      assert.deepEqual(await snapshot(db, os), before);
    });
  });
}
