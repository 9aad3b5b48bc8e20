/**
 * Aggregates over measures and log_entries that read measure_stats and log_stats instead
 * (backend/src/query/rewrite/rollup.ts), over the real lakehouse on PostgreSQL and PGlite: each query
 * gives the same columns, types and rows with the rollup as without it, and reads the summary exactly
 * when the rewrite can give the same answer; just in time, and after the scheduler merged the seconds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Table } from 'apache-arrow';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { FileObjectStore } from '@micromegas/backend/lake/object-store/file';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine, TimeRange } from '@micromegas/backend/query/engine';
import type { ViewCatalog } from '@micromegas/backend/views/catalog';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess } from './lakehouse-fixtures.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;

const FRAME = { name: 'frame_ms', unit: 'ms', target: 'game::loop' };
const LOAD = { name: 'load', unit: 'ratio', target: 'game::cpu' };
const EVENT_SECONDS = 150;

interface Lake {
  db: TestMetadataStore;
  os: TestObjectStore;
  lake: CatalogUnderTest;
  /** View sets whose partitions the engines asked for since the last reset. */
  requested: string[];
  withRollups: QueryEngine;
  withoutRollups: QueryEngine;
  /** Event time of the first process's start, in ms (not a whole second). */
  startMs: number;
}

/** Two processes, each with a measure stream and a log stream, one block per 10 s of events. */
async function openLake(metadataBackend: (typeof testMetadataBackends)[number]): Promise<Lake> {
  const [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
  const lake = await openCatalog({ metadata: db.store, objects: os.store });
  const requested: string[] = [];
  const catalog = new Proxy(lake.catalog, {
    get(target, key) {
      if (key === 'partitionsFor') {
        return (...args: Parameters<ViewCatalog['partitionsFor']>) => {
          requested.push(args[0]);
          return target.partitionsFor(...args);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const allowedDirs = [(os.store as FileObjectStore).root, lake.cacheDir];
  const [withRollups, withoutRollups] = await Promise.all([true, false].map((rollups) =>
    createQueryEngine({ catalog, allowedDirs, memoryLimit: '256MB', rollups })));
  const w = new TelemetryWriter(db.store, os.store);
  let startMs = 0;
  for (const [p, exe] of [[0, '/usr/bin/game'], [1, '/usr/bin/server']] as const) {
    const proc = await w.process({ exe });
    if (p === 0) startMs = Number(proc.start_time_ns / 1_000_000n);
    const [metrics, logs] = [await w.stream(proc, ['metrics']), await w.stream(proc, ['log'])];
    for (let first = 0; first < EVENT_SECONDS; first += 10) {
      const measures: TestEvent[] = [];
      const lines: TestEvent[] = [];
      // Four frames a second and a load sample; values are quarters, so sums are exact in any order.
      for (let i = first * 4; i < (first + 10) * 4; i++) {
        measures.push({ kind: 'measure', ticks: ticksAt(proc, i / 4 + 0.01 * p), desc: FRAME, value: ((i * 7 + p * 3) % 64) / 4 });
        if (i % 4 === 1) measures.push({ kind: 'measure', ticks: ticksAt(proc, i / 4), desc: LOAD, value: (i % 5) / 4 });
        if (i % 3 === 0) lines.push({ kind: 'log', ticks: ticksAt(proc, i / 4), level: 1 + (i % 5), target: i % 2 ? 'game::net' : 'game::ai', msg: `line ${i}` });
      }
      for (const [stream, events] of [[metrics, measures], [logs, lines]] as const) {
        // Inserted a little after the block's last event, as an SDK sends it.
        await w.setInsertTime([(await w.block(proc, stream, events)).block_id], new Date(insertBase(startMs) + (first + 10) * 1000 + 300 + p * 100));
      }
    }
  }
  return { db, os, lake, requested, withRollups, withoutRollups, startMs };
}

async function closeLake(l: Lake): Promise<void> {
  await Promise.all([l.withRollups.close(), l.withoutRollups.close()]);
  await l.lake.close();
  await Promise.all([l.db.drop(), l.os.drop()]);
}

const ticksAt = (p: TestProcess, second: number) => p.start_ticks + Math.round(second * p.tsc_frequency);
/** The whole second the processes start in: insert times and scheduler ticks count from it. */
const insertBase = (startMs: number) => Math.floor(startMs / 1000) * 1000;

async function result(engine: QueryEngine, sql: string, range: TimeRange): Promise<{ columns: string[]; rows: unknown[] }> {
  const answer = await engine.query(sql, { range });
  const batches = [];
  for await (const batch of answer.batches) batches.push(batch);
  return {
    columns: answer.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
    rows: new Table(answer.schema, batches).toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))),
  };
}

/** Runs `sql` with and without rollups: the same answer; returns it and whether the rollup read a summary. */
async function compare(l: Lake, sql: string, range: TimeRange = {}): Promise<{ rows: unknown[]; summarized: boolean }> {
  const without = await result(l.withoutRollups, sql, range);
  l.requested.length = 0;
  const withRollups = await result(l.withRollups, sql, range);
  assert.deepEqual(withRollups, without, sql);
  return { rows: withRollups.rows, summarized: l.requested.some((set) => set.endsWith('_stats')) };
}

/** Queries the rollup answers, with the shape of their ranges. */
const ROLLED: { name: string; sql: string; range?: (startMs: number) => TimeRange }[] = [
  {
    name: 'frame time per 10 s over a range of whole seconds (the fleet dashboard\'s panel)',
    sql: `SELECT time_bucket(INTERVAL 10 second, time) AS t, avg(value) AS frame_ms, max(value) AS worst_ms
      FROM measures WHERE name = 'frame_ms' GROUP BY 1 ORDER BY 1`,
    range: (s) => ({ begin: new Date(Math.ceil(s / 10_000) * 10_000 + 10_000), end: new Date(Math.ceil(s / 10_000) * 10_000 + 70_000) }),
  },
  {
    name: 'the same over a range in milliseconds: partial seconds at both ends come from measures',
    sql: `SELECT time_bucket(INTERVAL 10 second, time) AS t, avg(value) AS frame_ms, max(value) AS worst_ms
      FROM measures WHERE name = 'frame_ms' GROUP BY 1 ORDER BY 1`,
    range: (s) => ({ begin: new Date(s + 20_260), end: new Date(s + 80_740) }),
  },
  {
    name: 'Grafana\'s shape: $__timeGroup and $__timeFilter expanded, GROUP BY position, the bucket aliased as time',
    sql: `SELECT time_bucket(INTERVAL '2000 milliseconds', time) AS time, name, count(*), sum(value) AS total, min(value)
      FROM measures WHERE (time >= TIMESTAMP '{from}' AND time <= TIMESTAMP '{to}') AND name IN ('frame_ms', 'load')
      GROUP BY 1, 2 ORDER BY 1, 2`,
  },
  {
    name: 'no range, unaliased aggregates, date_trunc, GROUP BY ALL',
    sql: 'SELECT name, avg(value), count(*), date_trunc(\'minute\', time), count(value) FROM measures GROUP BY ALL ORDER BY ALL',
  },
  {
    name: 'qualified columns, HAVING and ORDER BY on aggregates, arithmetic over them',
    sql: `SELECT m.exe, m.name, round(max(m.value) - min(m.value), 3) AS spread, avg(value) * 1000 AS milli
      FROM measures AS m WHERE m.target LIKE 'game::%' AND m.unit <> 'none'
      GROUP BY m.exe, m.name HAVING count(*) > 10 ORDER BY avg(m.value) DESC, 1`,
    range: (s) => ({ begin: new Date(s + 5_500) }),
  },
  {
    name: 'no rows, no GROUP BY: a count of 0 and an average of NULL',
    sql: 'SELECT count(*) AS n, avg(value) AS mean, sum(value) AS total FROM measures WHERE name = \'absent\'',
  },
  {
    name: 'log counts by level and minute, over whole minutes and the partial minutes at both ends',
    sql: 'SELECT date_trunc(\'minute\', time) AS minute, level, count(*) AS n FROM log_entries GROUP BY ALL ORDER BY ALL',
    range: (s) => ({ begin: new Date(s + 30_000), end: new Date(s + 140_000) }),
  },
];

/** Queries the rollup must leave on the source: their answer over bins would differ. */
const UNROLLED: { name: string; sql: string }[] = [
  { name: 'an aggregate bins cannot combine', sql: 'SELECT quantile_cont(value, 0.5) AS median FROM measures' },
  { name: 'DISTINCT in an aggregate', sql: 'SELECT count(DISTINCT process_id) AS n FROM measures' },
  { name: 'FILTER in an aggregate', sql: 'SELECT count(*) FILTER (WHERE name = \'load\') AS n FROM measures' },
  { name: 'a condition on the measure', sql: 'SELECT avg(value) AS mean FROM measures WHERE value > 10' },
  { name: 'buckets narrower than a bin', sql: 'SELECT time_bucket(INTERVAL \'500 milliseconds\', time) AS t, count(*) AS n FROM measures GROUP BY 1 ORDER BY 1' },
  { name: 'a bucket that is not a whole number of bins', sql: 'SELECT time_bucket(INTERVAL \'1500 milliseconds\', time) AS t, count(*) AS n FROM measures GROUP BY 1 ORDER BY 1' },
  { name: 'seconds of log_entries, whose bins are minutes', sql: 'SELECT date_trunc(\'second\', time) AS t, count(*) AS n FROM log_entries GROUP BY 1 ORDER BY 1' },
  { name: 'a time condition that is not a constant', sql: 'SELECT avg(value) AS mean FROM measures WHERE time > now() - INTERVAL 3650 day' },
  { name: 'a column the bins do not keep', sql: 'SELECT stream_id, count(*) AS n FROM measures GROUP BY 1 ORDER BY 1' },
  { name: 'a volatile function', sql: 'SELECT count(*) AS n FROM measures WHERE random() < 2' },
  { name: 'a window over the aggregate', sql: 'SELECT name, sum(count(*)) OVER () AS n FROM measures GROUP BY name ORDER BY name' },
  { name: 'a join', sql: 'SELECT count(*) AS n FROM measures JOIN (SELECT \'load\' AS name) USING (name)' },
  { name: 'rows, not aggregates', sql: 'SELECT name, value FROM measures ORDER BY ALL LIMIT 5' },
];

const fill = (sql: string, startMs: number) => sql
  .replace('{from}', new Date(startMs + 12_345).toISOString().slice(0, -1))
  .replace('{to}', new Date(startMs + 101_987).toISOString().slice(0, -1));

for (const metadataBackend of testMetadataBackends) {
  describe(`rollups over measure_stats and log_stats (${metadataBackend.name})`, () => {
    let l: Lake;
    before(async () => { l = await openLake(metadataBackend); });
    after(async () => { await closeLake(l); });

    it('answers each aggregate as measures and log_entries do, from the summaries, built just in time', async () => {
      // The fixture moves insert times into the past after inserting, behind the source memory's back
      // (../backend/src/views/source-memory.ts): a query without a range builds the partitions first.
      await compare(l, 'SELECT count(*) AS n FROM measures');
      await compare(l, 'SELECT count(*) AS n FROM log_entries');
      for (const q of ROLLED) {
        const { rows, summarized } = await compare(l, fill(q.sql, l.startMs), q.range?.(l.startMs));
        assert.ok(summarized, `read a summary: ${q.name}`);
        assert.ok(rows.length > 0, q.name);
      }
      const [dashboard] = ROLLED;
      const { rows } = await compare(l, dashboard!.sql, dashboard!.range!(l.startMs));
      assert.equal(rows.length, 6, 'six 10-s buckets in the minute');
    });

    it('leaves on the source every query whose answer over bins would differ', async () => {
      for (const q of UNROLLED) {
        const { summarized } = await compare(l, q.sql);
        assert.equal(summarized, false, q.name);
      }
    });

    it('leaves a query DuckDB refuses to DuckDB: the same error with and without rollups', async () => {
      const sql = "SELECT time_bucket(INTERVAL 'soon', time) AS t, count(*) AS n FROM measures GROUP BY 1";
      const message = async (engine: QueryEngine) => {
        try {
          await result(engine, sql, {});
          return 'no error';
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      };
      const [without, withRollups] = [await message(l.withoutRollups), await message(l.withRollups)];
      assert.match(without, /soon/);
      assert.equal(withRollups, without);
    });

    it('answers the same once the scheduler built the seconds and merged them into minutes', async () => {
      const scheduler = new MaintenanceScheduler({
        election: new LeaseElection(l.db.store), catalog: l.lake.catalog, db: l.db.store, objects: l.os.store,
        settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined },
      });
      for (const second of [30, 61, 125, 190]) {
        assert.deepEqual((await scheduler.runOnce(new Date(insertBase(l.startMs) + second * 1000))).filter((e) => e.kind === 'failed'), []);
      }
      const merged = (await l.lake.catalog.listPartitions()).filter((p) => p.view_set_name === 'measure_stats' && p.file_path !== '' &&
        p.end_insert_time.getTime() - p.begin_insert_time.getTime() === 60_000);
      assert.ok(merged.length > 0, 'a minute of measure_stats');
      for (const q of ROLLED) {
        const { summarized } = await compare(l, fill(q.sql, l.startMs), q.range?.(l.startMs));
        assert.ok(summarized, q.name);
      }
    });
  });
}
