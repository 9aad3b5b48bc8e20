/**
 * User-defined views from a config file, over the real lakehouse (PGlite, file object store):
 * materialized for a window, queried by name through the engine with the aggregates recomputed
 * here from the events written; scheduled after their source and merged with sums kept; bad
 * definitions rejected naming the view and field.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { FileObjectStore } from '@micromegas/backend/lake/object-store/file';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine } from '@micromegas/backend/query/engine';
import { createViewCatalog } from '@micromegas/backend/views/lakehouse-catalog';
import { loadUserViews, parseUserViews, userViewsFromEnv, UserViewConfigError, type UserViewDefinition } from '@micromegas/backend/views/user-views/config';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { expectedNs, openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess } from './lakehouse-fixtures.js';

const pglite = testMetadataBackends.find((b) => b.name === 'pglite')!;
const files = testObjectBackends.find((b) => b.name === 'file')!;
const DAY = 86_400_000;
/** Ten o'clock two days ago: blocks are placed at insert times relative to it. */
const H = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);
const MINUTE_NS = 60_000_000_000n;

const CONFIG = [
  {
    name: 'log_levels', source: 'log_entries', time_bin: '1 minute',
    sql: 'SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, level, count(*) AS count FROM source GROUP BY ALL',
    merge_sql: 'SELECT time_bin, level, sum(count) AS count FROM source GROUP BY ALL',
  },
  {
    name: 'frame_stats', source: 'measures', time_bin: '60 seconds',
    sql: `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, name, count(*) AS n, sum(value) AS total, max(value) AS peak
          FROM source GROUP BY ALL`,
    merge_sql: 'SELECT time_bin, name, sum(n) AS n, sum(total) AS total, max(peak) AS peak FROM source GROUP BY ALL',
  },
  {
    // A view over a user view, with its own time column.
    name: 'logs_per_hour', source: 'log_levels', time_column: 'hour',
    sql: 'SELECT time_bucket(INTERVAL 1 hour, time_bin) AS hour, sum(count)::BIGINT AS count FROM source GROUP BY ALL',
  },
];

describe('user-defined views', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let dir: string;
  let lake: CatalogUnderTest;
  let engine: QueryEngine;
  let p: TestProcess;
  const logs: { ticks: number; level: number }[] = [];
  const measures: { ticks: number; value: number }[] = [];

  const rows = async (sql: string): Promise<Record<string, unknown>[]> => {
    const result = await engine.query(sql);
    const batches = [];
    for await (const batch of result.batches) batches.push(batch);
    return new Table(result.schema, batches).toArray().map((r) => Object.fromEntries(Object.entries(r.toJSON()).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  };
  const minuteMs = (ticks: number) => Number((expectedNs(p, ticks) / MINUTE_NS) * MINUTE_NS / 1_000_000n);
  /** Per (minute, level) counts of the logs written, sorted like the queries' ORDER BY. */
  const expectedLevels = () => {
    const counts = new Map<string, number>();
    for (const l of logs) counts.set(`${minuteMs(l.ticks)}|${l.level}`, (counts.get(`${minuteMs(l.ticks)}|${l.level}`) ?? 0) + 1);
    return [...counts].map(([key, n]) => ({ ms: Number(key.split('|')[0]), level: Number(key.split('|')[1]), n }))
      .sort((a, b) => a.ms - b.ms || a.level - b.level);
  };
  const queriedLevels = () => rows('SELECT epoch_ms(time_bin) AS ms, level, sum(count)::BIGINT AS n FROM log_levels GROUP BY ALL ORDER BY ms, level');

  before(async () => {
    [db, os] = await Promise.all([pglite.open(), files.open()]);
    dir = await mkdtemp(join(tmpdir(), 'mm-user-views-'));
    await writeFile(join(dir, 'views.json'), JSON.stringify(CONFIG));
    const userViews = await userViewsFromEnv({ MICROMEGAS_VIEWS_CONFIG: join(dir, 'views.json') });
    lake = await openCatalog({ metadata: db.store, objects: os.store, userViews });
    engine = await createQueryEngine({ catalog: lake.catalog, allowedDirs: [(os.store as FileObjectStore).root, lake.cacheDir], memoryLimit: '256MB' });

    const w = new TelemetryWriter(db.store, os.store);
    p = await w.process();
    const logStream = await w.stream(p, ['log']);
    const metricStream = await w.stream(p, ['metrics']);
    const f = p.tsc_frequency;
    // Event times span three minutes; blocks are inserted in three different minutes of the hour.
    const logBlocks = [
      [[1, 4], [5, 4], [6, 2]],
      [[30, 4], [31, 3], [70, 4]],
      [[90, 2], [95, 4], [140, 4], [141, 4]],
    ].map((block) => block.map(([s, level]) => ({ ticks: p.start_ticks + s! * f + 17, level: level! })));
    const measureBlocks = [[[2, 1.5], [40, 2.25]], [[75, 10], [76, -4]]]
      .map((block) => block.map(([s, value]) => ({ ticks: p.start_ticks + s! * f + 29, value: value! })));
    const placed: [string, number][] = [];
    for (const [i, block] of logBlocks.entries()) {
      logs.push(...block);
      const events: TestEvent[] = block.map((l, j) => ({ kind: 'log', ticks: l.ticks, level: l.level, target: 'game', msg: `m${j}` }));
      placed.push([(await w.block(p, logStream, events)).block_id, 0.5 + 60 * i]);
    }
    for (const [i, block] of measureBlocks.entries()) {
      measures.push(...block);
      const events: TestEvent[] = block.map((m) => ({ kind: 'measure', ticks: m.ticks, desc: { name: 'frame_ms', unit: 'ms', target: 'game' }, value: m.value }));
      placed.push([(await w.block(p, metricStream, events)).block_id, 1.5 + 60 * i]);
    }
    for (const [blockId, second] of placed) await w.setInsertTime([blockId], at(second));
  });

  after(async () => {
    await engine.close();
    await lake.close();
    await Promise.all([db.drop(), os.drop(), rm(dir, { recursive: true, force: true })]);
  });

  it('lists each user view with the schema DuckDB derives from its SQL', () => {
    const sets = new Map(lake.catalog.viewSets().map((s) => [s.name, s]));
    assert.deepEqual(lake.catalog.userViews, ['log_levels', 'frame_stats', 'logs_per_hour']);
    assert.deepEqual(sets.get('log_levels')!.schema.fields.map((f) => `${f.name}:${f.type}`),
      ['time_bin:Timestamp<NANOSECOND, +00:00>', 'level:Int32', 'count:Int64']);
    assert.deepEqual(sets.get('frame_stats')!.schema.fields.map((f) => `${f.name}:${f.type}`),
      ['time_bin:Timestamp<NANOSECOND, +00:00>', 'name:Utf8', 'n:Int64', 'total:Float64', 'peak:Float64']);
    assert.equal(sets.get('logs_per_hour')!.timeColumn, 'hour');
    assert.deepEqual(['log_levels', 'frame_stats', 'logs_per_hour', 'log_stats'].map((name) => sets.get(name)!.timeBinMs), [60_000, 60_000, undefined, 60_000]);
  });

  it('materializes a window into partitions, one per source partition, queried with the right aggregates', async () => {
    const built = await lake.catalog.materializePartitions('log_levels', at(0), at(3600), 60);
    assert.equal(built, 3);
    const partitions = (await lake.catalog.listPartitions()).filter((r) => r.view_set_name === 'log_levels');
    assert.deepEqual(partitions.map((r) => (r.end_insert_time.getTime() - r.begin_insert_time.getTime()) / 1000), [60, 60, 60]);
    assert.equal(await lake.catalog.materializePartitions('log_levels', at(0), at(3600), 60), 0, 'up-to-date partitions are kept');
    assert.deepEqual(await queriedLevels(), expectedLevels());
  });

  it('computes measures aggregates and views over user views just in time', async () => {
    const [frames] = await rows('SELECT name, sum(n)::BIGINT AS n, sum(total) AS total, max(peak) AS peak FROM frame_stats GROUP BY name');
    assert.deepEqual(frames, {
      name: 'frame_ms', n: measures.length,
      total: measures.reduce((s, m) => s + m.value, 0), peak: Math.max(...measures.map((m) => m.value)),
    });
    const [hourly] = await rows('SELECT sum(count)::BIGINT AS n FROM logs_per_hour');
    assert.deepEqual(hourly, { n: logs.length });
  });

  it('the scheduler runs user views after their source; the hour merge keeps every aggregate', async () => {
    const scheduler = new MaintenanceScheduler({
      election: new LeaseElection(db.store), catalog: lake.catalog, db: db.store, objects: os.store,
      settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined },
    });
    // The hour tick due two minutes after H + 1h merges the hour [H, H + 1h).
    const events = await scheduler.runOnce(at(3600 + 120));
    await scheduler.resign();
    assert.deepEqual(events.filter((e) => e.kind === 'failed'), []);
    const order = events.flatMap((e) => (e.kind === 'materialize' && e.schedule === 'hour' ? [e.viewSet] : []));
    assert.deepEqual(order.slice(-3), ['log_levels', 'frame_stats', 'logs_per_hour']);
    assert.ok(order.indexOf('log_entries') < order.indexOf('log_levels') && order.indexOf('measures') < order.indexOf('frame_stats'));
    for (const view of ['log_levels', 'frame_stats', 'logs_per_hour']) {
      const partitions = (await lake.catalog.listPartitions()).filter((r) => r.view_set_name === view && r.file_path !== '');
      assert.deepEqual(partitions.map((r) => (r.end_insert_time.getTime() - r.begin_insert_time.getTime()) / 1000), [3600], view);
    }
    assert.deepEqual(await queriedLevels(), expectedLevels());
    const [hourly] = await rows('SELECT sum(count)::BIGINT AS n FROM logs_per_hour');
    assert.deepEqual(hourly, { n: logs.length });
    // The merge SQL summed the (minute, level) bins that several minute partitions had in common.
    const levels = (await lake.catalog.listPartitions()).filter((r) => r.view_set_name === 'log_levels' && r.file_path !== '');
    assert.equal(levels[0]!.num_rows, expectedLevels().length);
    const [frames] = await rows('SELECT count(*)::BIGINT AS bins, sum(n)::BIGINT AS n, sum(total) AS total, max(peak) AS peak FROM frame_stats');
    const minutes = new Set(measures.map((m) => minuteMs(m.ticks)));
    assert.deepEqual(frames, {
      bins: minutes.size, n: measures.length,
      total: measures.reduce((sum, m) => sum + m.value, 0), peak: Math.max(...measures.map((m) => m.value)),
    });
  });

  it('a time range keeps every time bin it meets, binned views and log_stats alike', async () => {
    const firstBin = Math.min(...logs.map((l) => minuteMs(l.ticks)));
    const inFirstBin = logs.filter((l) => minuteMs(l.ticks) === firstBin).length;
    // From the middle of the first minute to the end of it: that minute's bins, whole.
    const range = { begin: new Date(firstBin + 30_000), end: new Date(firstBin + 60_000) };
    const total = async (view: string) => {
      const result = await engine.query(`SELECT coalesce(sum(count), 0)::BIGINT AS n FROM ${view}`, { range });
      const values = [];
      for await (const batch of result.batches) values.push(...batch.toArray().map((r) => Number(r.toJSON()['n'])));
      return values[0];
    };
    assert.equal(await total('log_levels'), inFirstBin);
    assert.equal(await total('log_stats'), inFirstBin);
    // logs_per_hour has no time_bin: its rows are instants, and the hour's start lies before the range.
    assert.equal(await total('logs_per_hour'), 0);
  });

  describe('a bad configuration is rejected, naming the view and the field', () => {
    const rejects = async (definitions: unknown, where: { view?: string; field?: string }, reason: RegExp) => {
      const open = async () => {
        const catalog = await createViewCatalog({ metadata: db.store, objects: os.store, cacheDir: dir, userViews: parseUserViews(definitions) });
        await catalog.close();
      };
      await assert.rejects(open, (err: unknown) => {
        assert.ok(err instanceof UserViewConfigError, String(err));
        assert.deepEqual({ view: err.where.view, field: err.where.field }, { view: where.view, field: where.field });
        assert.match(err.message, reason);
        return true;
      });
    };
    const view = (overrides: Partial<UserViewDefinition> & Record<string, unknown>) => [{ ...CONFIG[0], ...overrides }];

    it('in the file: not JSON, not an array', async () => {
      await writeFile(join(dir, 'broken.json'), '[{"name": ');
      await assert.rejects(loadUserViews(join(dir, 'broken.json')), (err: unknown) =>
        err instanceof UserViewConfigError && err.where.file === join(dir, 'broken.json') && /not valid JSON/.test(err.message));
      await assert.rejects(loadUserViews(join(dir, 'missing.json')), /cannot read the file/);
      await rejects({ name: 'x' }, {}, /expected a JSON array/);
    });

    it('in the fields: names, unknown fields, empty SQL, duplicates', async () => {
      await rejects(view({ name: 'Bad Name' }), { view: 'Bad Name', field: 'name' }, /lower-case SQL identifier/);
      await rejects(view({ merge: 'x' }), { view: 'log_levels', field: 'merge' }, /unknown field/);
      await rejects(view({ sql: ' ' }), { view: 'log_levels', field: 'sql' }, /non-empty SELECT/);
      await rejects([CONFIG[0], CONFIG[0]], { view: 'log_levels', field: 'name' }, /defined twice/);
      await rejects(view({ merge_sql: '' }), { view: 'log_levels', field: 'merge_sql' }, /non-empty SELECT/);
      for (const timeBin of ['1 month', 'soon', 60, '0 seconds']) {
        await rejects(view({ time_bin: timeBin as string }), { view: 'log_levels', field: 'time_bin' }, /fixed-width interval/);
      }
    });

    it('against the lake: unknown or per-process source, clashing name, failing SQL, missing or untimed time column', async () => {
      await rejects(view({ source: 'log_entry' }), { view: 'log_levels', field: 'source' }, /unknown view set \(known are .*log_entries/);
      await rejects(view({ source: 'thread_spans' }), { view: 'log_levels', field: 'source' }, /no global instance/);
      await rejects(view({ name: 'log_stats' }), { view: 'log_stats', field: 'name' }, /already exists/);
      await rejects(view({ sql: 'SELECT nope FROM source' }), { view: 'log_levels', field: 'sql' }, /nope/);
      await rejects(view({ time_column: 'minute' }), { view: 'log_levels', field: 'time_column' }, /yields no column 'minute'/);
      await rejects(view({ sql: 'SELECT level AS time_bin FROM source' }), { view: 'log_levels', field: 'time_column' }, /must be a timestamp/);
      await rejects(view({ merge_sql: 'SELECT nope FROM source' }), { view: 'log_levels', field: 'merge_sql' }, /nope/);
      await rejects(view({ merge_sql: 'SELECT time_bin, sum(count) AS count FROM source GROUP BY ALL' }), { view: 'log_levels', field: 'merge_sql' }, /lacks level/);
    });
  });
});
