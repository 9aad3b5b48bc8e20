/**
 * measure_stats over the real lakehouse (PostgreSQL and PGlite, file object store), queried through
 * the engine: per second, process, exe, target, name and unit, its re-aggregated count, sum, min and max
 * equal the same aggregation computed over `measures` for the same time range, when built just in
 * time, and after the scheduler built second partitions and merged them into minutes, then an hour.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Table } from 'apache-arrow';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { FileObjectStore } from '@micromegas/backend/lake/object-store/file';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine } from '@micromegas/backend/query/engine';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { expectedNs, openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess } from './lakehouse-fixtures.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const DAY = 86_400_000;
/** Ten o'clock two days ago: blocks are placed at insert times relative to it. */
const H = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);

const FROM_STATS = `SELECT epoch_ns(time_bin)::VARCHAR AS bin, process_id, exe, target, name, unit,
  sum(count)::BIGINT AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max FROM measure_stats GROUP BY ALL ORDER BY ALL`;
const FROM_MEASURES = `SELECT epoch_ns(time_bucket(INTERVAL 1 second, time))::VARCHAR AS bin, process_id, exe, target, name, unit,
  count(*)::BIGINT AS count, sum(value) AS sum, min(value) AS min, max(value) AS max FROM measures GROUP BY ALL ORDER BY ALL`;

const FRAME = { name: 'frame_ms', unit: 'ms', target: 'game::loop' };
const LOAD = { name: 'load', unit: 'ratio', target: 'game::cpu' };
/**
 * Blocks of [event second + fraction, series, value], and the second (from H) each is inserted at.
 * The process starts 0.123 s past a whole second: fractions below 0.85 keep each event in its second's bin.
 */
const BLOCKS: { events: [number, typeof FRAME, number][]; insertSecond: number }[] = [
  { events: [[1.1, FRAME, 16.5], [1.6, FRAME, 33.25], [1.7, LOAD, 0.5], [2.2, FRAME, -4]], insertSecond: 0.5 },
  { events: [[2.85, FRAME, 8], [3.3, LOAD, 0.75], [40.5, FRAME, 12]], insertSecond: 1.5 },
  // Event seconds 2 and 40 again, inserted a minute later: those bins sit in two minute partitions.
  { events: [[2.8, FRAME, 100], [40.7, FRAME, 1], [70.2, LOAD, 1]], insertSecond: 61.2 },
];

interface Lake {
  db: TestMetadataStore;
  os: TestObjectStore;
  lake: CatalogUnderTest;
  engine: QueryEngine;
  p: TestProcess;
}

/** A fresh lake holding BLOCKS, and an engine over it. */
async function openLake(metadataBackend: (typeof testMetadataBackends)[number]): Promise<Lake> {
  const [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
  const lake = await openCatalog({ metadata: db.store, objects: os.store });
  const engine = await createQueryEngine({ catalog: lake.catalog, allowedDirs: [(os.store as FileObjectStore).root, lake.cacheDir], memoryLimit: '256MB' });
  const w = new TelemetryWriter(db.store, os.store);
  const p = await w.process();
  const stream = await w.stream(p, ['metrics']);
  for (const block of BLOCKS) {
    const events: TestEvent[] = block.events.map(([second, desc, value]) => ({ kind: 'measure', ticks: ticksAt(p, second), desc, value }));
    await w.setInsertTime([(await w.block(p, stream, events)).block_id], at(block.insertSecond));
  }
  return { db, os, lake, engine, p };
}

async function closeLake(l: Lake): Promise<void> {
  await l.engine.close();
  await l.lake.close();
  await Promise.all([l.db.drop(), l.os.drop()]);
}

const ticksAt = (p: TestProcess, second: number) => p.start_ticks + Math.round(second * p.tsc_frequency);

async function rows(l: Lake, sql: string, range?: { begin: Date; end: Date }): Promise<Record<string, unknown>[]> {
  const result = await l.engine.query(sql, range === undefined ? {} : { range });
  const batches = [];
  for await (const batch of result.batches) batches.push(batch);
  return new Table(result.schema, batches).toArray().map((r) => r.toJSON());
}

/** The bins over `range` from measure_stats, asserted equal to those computed from measures. */
async function agreeing(l: Lake, range?: { begin: Date; end: Date }): Promise<Record<string, unknown>[]> {
  const [stats, direct] = [await rows(l, FROM_STATS, range), await rows(l, FROM_MEASURES, range)];
  assert.deepEqual(stats, direct);
  return stats;
}

/** measure_stats' partitions with a file: insert-time widths in seconds, and rows. */
async function partitions(l: Lake): Promise<{ widths: number[]; rows: number }> {
  const listed = (await l.lake.catalog.listPartitions()).filter((row) => row.view_set_name === 'measure_stats' && row.file_path !== '');
  return {
    widths: listed.map((row) => (row.end_insert_time.getTime() - row.begin_insert_time.getTime()) / 1000),
    rows: listed.reduce((n, row) => n + row.num_rows, 0),
  };
}

for (const metadataBackend of testMetadataBackends) {
  describe(`measure_stats (${metadataBackend.name})`, () => {
    let l: Lake;
    before(async () => { l = await openLake(metadataBackend); });
    after(async () => { await closeLake(l); });

    it('built just in time, it agrees with measures bin by bin, over every measure and over a range of whole seconds', async () => {
      const all = await agreeing(l);
      assert.equal(all.length, 6, 'bins of seconds 1 (two series), 2, 3, 40, 70');
      const binMs = (second: number) => Number(expectedNs(l.p, ticksAt(l.p, second)) / 1_000_000_000n) * 1000;
      const second2 = all.find((r) => r['bin'] === `${BigInt(binMs(2.2)) * 1_000_000n}` && r['name'] === 'frame_ms');
      assert.deepEqual([second2?.['count'], second2?.['min'], second2?.['max']], [3n, -4, 100], 'one bin from three measures of two blocks');
      const some = await agreeing(l, { begin: new Date(binMs(2.2)), end: new Date(binMs(40.5)) });
      assert.deepEqual(some.map((r) => r['name']), ['frame_ms', 'load'], 'seconds 2 and 3 only');
    });
  });

  describe(`measure_stats by the scheduler (${metadataBackend.name})`, () => {
    let l: Lake;
    before(async () => { l = await openLake(metadataBackend); });
    after(async () => { await closeLake(l); });

    it('built a second at a time, merged into minutes, then an hour, it agrees with measures', async () => {
      const scheduler = new MaintenanceScheduler({
        election: new LeaseElection(l.db.store), catalog: l.lake.catalog, db: l.db.store, objects: l.os.store,
        settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined },
      });
      const tick = async (seconds: number) => {
        assert.deepEqual((await scheduler.runOnce(at(seconds))).filter((e) => e.kind === 'failed'), []);
      };
      for (const second of [2, 3]) await tick(second);
      assert.deepEqual(await partitions(l), { widths: [1, 1], rows: 6 });
      await agreeing(l);
      await tick(63);
      // The minute [0, 60) is merged (frame_ms' second 2, in both of its seconds, is one row now);
      // [61, 61.201) is the piece the query above built up to the last block.
      assert.deepEqual(await partitions(l), { widths: [60, 0.201], rows: 8 });
      await agreeing(l);
      for (const second of [120, 180]) await tick(second);
      assert.deepEqual(await partitions(l), { widths: [60, 60], rows: 8 });
      await agreeing(l);
      await tick(3600 + 120);
      // Seconds 2 and 40 of frame_ms, in both minutes, are one row each in the hour.
      assert.deepEqual(await partitions(l), { widths: [3600], rows: 6 });
      assert.equal((await agreeing(l)).length, 6);
    });
  });
}
