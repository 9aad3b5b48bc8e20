/**
 * Tail sampling end to end: a SQL query through the real query engine over the lakehouse picks the
 * processes that logged an error; old span blocks of the others go (rows, payloads after the grace
 * period, span partitions), young ones and the selected processes' stay; the dry run changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine } from '@micromegas/backend/query/engine';
import { applyTailSampling } from '@micromegas/backend/maintenance/retention/tail-sampling';
import { queryProcessSelector, TailSamplingQueryError } from '@micromegas/backend/maintenance/retention/process-selector';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess, type WrittenBlock } from './lakehouse-fixtures.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const HOUR = 3_600_000;
const FRAME = { name: 'frame', target: 'game::loop', filename: 'src/game.ts', line: 10 };
const KEEP_SQL = 'SELECT DISTINCT process_id FROM log_entries WHERE level <= 2';

const logAt = (p: TestProcess, level: number): TestEvent[] => [{ kind: 'log', ticks: p.start_ticks + 5000, level, target: 'game', msg: `level ${level}` }];
const frames = (p: TestProcess, first: number): TestEvent[] => [
  { kind: 'begin', ticks: p.start_ticks + first * 1000, desc: FRAME },
  { kind: 'end', ticks: p.start_ticks + first * 1000 + 500, desc: FRAME },
];

async function objectKeys(os: TestObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const key of os.store.list('')) out.push(key);
  return out.sort();
}

for (const metadataBackend of testMetadataBackends) {
  describe(`tail sampling (${metadataBackend.name})`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let lake: CatalogUnderTest;
    let engine: QueryEngine;
    const now = new Date();
    const olderThan = new Date(now.getTime() - HOUR);
    const procs: Record<'failing' | 'quiet' | 'young' | 'silent', TestProcess> = {} as never;
    const cpu: Record<string, { stream: string; blocks: WrittenBlock[] }> = {};

    const blockIds = async () => (await db.store.query<{ block_id: string }>('SELECT block_id FROM blocks ORDER BY block_id')).map((r) => r.block_id);
    const spanCount = async (name: keyof typeof procs) => {
      const files = await lake.catalog.partitionsFor('thread_spans', cpu[name]!.stream, {});
      return files.reduce((n, f) => n + f.numRows, 0);
    };

    before(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
      lake = await openCatalog({ metadata: db.store, objects: os.store });
      engine = await createQueryEngine({ catalog: lake.catalog, allowedDirs: [lake.cacheDir, fileURLToPath(os.uri)], memoryLimit: '256MB' });
      const w = new TelemetryWriter(db.store, os.store);
      // failing: logged an error (level 2): its spans stay. quiet: info logs only, old spans: they go.
      // young: no error, but its spans are too recent to judge. silent: no logs at all, old spans: they go.
      for (const [name, level] of [['failing', 2], ['quiet', 4], ['young', 4], ['silent', undefined]] as const) {
        const p = await w.process();
        procs[name] = p;
        if (level !== undefined) await w.block(p, await w.stream(p, ['log']), logAt(p, level));
        const stream = await w.stream(p, ['cpu']);
        cpu[name] = { stream, blocks: [await w.block(p, stream, frames(p, 1)), await w.block(p, stream, frames(p, 3))] };
        if (name !== 'young') await w.setInsertTime(cpu[name]!.blocks.map((b) => b.block_id), new Date(now.getTime() - 2 * HOUR));
      }
      // Span partitions exist before sampling (a query looked at them).
      for (const name of Object.keys(procs) as (keyof typeof procs)[]) assert.equal(await spanCount(name), 2);
      // The selector's own query materializes log_entries: done once here, so that the dry run below
      // can be held to changing nothing at all.
      await applyTailSampling(db.store, options(true));
    });
    after(async () => {
      await engine.close();
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    });

    const options = (dryRun: boolean) => ({ olderThan, now, select: queryProcessSelector(engine, KEEP_SQL), batchSize: 1, dryRun });

    it('dry run reports the processes and blocks that would go and changes nothing', async () => {
      const blocks = await blockIds();
      const objects = await objectKeys(os);
      const partitions = await lake.catalog.listPartitions();
      const report = await applyTailSampling(db.store, options(true));
      const bytes = await db.store.query<{ n: number }>('SELECT sum(payload_size)::int AS n FROM blocks WHERE block_id = ANY($1)',
        [[...cpu['quiet']!.blocks, ...cpu['silent']!.blocks].map((b) => b.block_id)]);
      assert.deepEqual(report, { dryRun: true, candidates: 3, kept: 1, dropped: 2, blocks: 4, bytes: bytes[0]!.n, partitions: 0 });
      assert.deepEqual(await blockIds(), blocks);
      assert.deepEqual(await objectKeys(os), objects);
      assert.deepEqual(await lake.catalog.listPartitions(), partitions);
    });

    it('deletes the old span blocks of unselected processes and keeps the selected and young ones', async () => {
      const dropped = [...cpu['quiet']!.blocks, ...cpu['silent']!.blocks].map((b) => b.block_id);
      const expected = (await blockIds()).filter((id) => !dropped.includes(id));
      const droppedPacks = (await db.store.query<{ k: string }>('SELECT payload_key AS k FROM blocks WHERE block_id = ANY($1)', [dropped])).map((r) => r.k);
      const report = await applyTailSampling(db.store, options(false));
      assert.equal(report.blocks, 4);
      assert.equal(report.dropped, 2);
      assert.ok(report.partitions >= 2, 'the span partitions of both dropped streams are retired');
      assert.deepEqual(await blockIds(), expected);
      // Payloads wait out the grace period in the expired-files list.
      // (each test block is a pack of its own, which no row refers to any more: due at the end of the grace period)
      const queued = await db.store.query<{ file_path: string }>(
        'SELECT file_path FROM lakehouse_expired_files WHERE file_path = ANY($1) AND expiration <= $2', [droppedPacks, new Date(now.getTime() + 600_000)]);
      assert.equal(queued.length, 4);
      // Queries no longer show the dropped spans; the kept ones are intact.
      assert.equal(await spanCount('quiet'), 0);
      assert.equal(await spanCount('silent'), 0);
      assert.equal(await spanCount('failing'), 2);
      assert.equal(await spanCount('young'), 2);
    });

    it('a second run finds nothing more to drop', async () => {
      const report = await applyTailSampling(db.store, options(false));
      assert.deepEqual(report, { dryRun: false, candidates: 1, kept: 1, dropped: 0, blocks: 0, bytes: 0, partitions: 0 });
      // Told where the previous run stopped, it does not judge the same blocks again.
      const since = await applyTailSampling(db.store, { ...options(false), since: olderThan });
      assert.equal(since.candidates, 0);
    });

    it('runs hourly in the scheduler, each run judging only the blocks the previous one had not', async () => {
      const scheduler = new MaintenanceScheduler({
        election: new LeaseElection(db.store), catalog: lake.catalog, db: db.store, objects: os.store,
        settings: { retentionDays: 90, batchSize: 10, tailSampling: { sql: KEEP_SQL, minAgeSeconds: 3600 } },
        selector: queryProcessSelector(engine, KEEP_SQL),
      });
      const sampling = async (at: Date) => {
        const events = await scheduler.runOnce(at);
        const e = events.find((x) => x.kind === 'tail_sampling');
        assert.ok(e?.kind === 'tail_sampling', JSON.stringify(events.filter((x) => x.kind === 'failed')));
        return e.report;
      };
      try {
        // First run: every old span block; only the selected process has some left.
        assert.deepEqual(await sampling(now), { dryRun: false, candidates: 1, kept: 1, dropped: 0, blocks: 0, bytes: 0, partitions: 0 });
        // Two hours later: only what became old since, i.e. the young process's blocks, which go.
        const later = await sampling(new Date(now.getTime() + 2 * HOUR));
        assert.deepEqual({ ...later, bytes: 0, partitions: 0 }, { dryRun: false, candidates: 1, kept: 0, dropped: 1, blocks: 2, bytes: 0, partitions: 0 });
        assert.equal(await spanCount('young'), 0);
        assert.equal(await spanCount('failing'), 2);
      } finally {
        await scheduler.resign();
      }
    });

    it('a query without a process_id column is refused and deletes nothing', async () => {
      const blocks = await blockIds();
      const select = queryProcessSelector(engine, 'SELECT 1 AS one');
      await assert.rejects(applyTailSampling(db.store, { ...options(false), olderThan: new Date(now.getTime() + HOUR), select }), TailSamplingQueryError);
      assert.deepEqual(await blockIds(), blocks);
    });
  });
}
