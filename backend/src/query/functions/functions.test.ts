import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, logsSql, openFixture, type Fixture } from '../testing/fixture.js';

describe('query functions', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());

  it('property_get finds a key in a list of {key, value} structs, NULL when absent', async () => {
    const [row] = await fx.rows(`SELECT count(property_get(properties, 'rare')) AS rare,
      count(property_get(properties, 'missing')) AS missing,
      max(property_get(properties, 'k')) FILTER (WHERE msg = 'msg 42') AS k42 FROM log_entries`);
    assert.deepEqual(row, { rare: 20n, missing: 0n, k42: 'v42' });
  });

  it('list_partitions() lists the catalog partitions', async () => {
    const rows = await fx.rows(`SELECT view_set_name, view_instance_id, num_rows, min_event_time
      FROM list_partitions() ORDER BY view_set_name, view_instance_id, min_event_time`);
    assert.deepEqual(rows, [
      { view_set_name: 'log_entries', view_instance_id: 'global', num_rows: 100n, min_event_time: at(0).getTime() },
      { view_set_name: 'log_entries', view_instance_id: 'global', num_rows: 100n, min_event_time: at(100).getTime() },
      { view_set_name: 'log_entries', view_instance_id: 'p1', num_rows: 100n, min_event_time: at(0).getTime() },
      { view_set_name: 'thread_spans', view_instance_id: 'stream-1', num_rows: 16n, min_event_time: at(0).getTime() },
    ]);
  });

  it('list_view_sets() describes the view sets', async () => {
    const rows = await fx.rows('SELECT view_set_name, has_global_instance, instance_kind, time_column FROM list_view_sets()');
    assert.deepEqual(rows, [
      { view_set_name: 'log_entries', has_global_instance: true, instance_kind: 'process_id', time_column: 'time' },
      { view_set_name: 'thread_spans', has_global_instance: false, instance_kind: 'stream_id', time_column: 'begin' },
    ]);
  });

  it('materialize_partitions() evaluates its arguments and asks the catalog', async () => {
    const rows = await fx.rows(`SELECT * FROM materialize_partitions('log_entries',
      TIMESTAMPTZ '2026-01-01 00:00:00+00', '2026-01-01T01:00:00Z', 60)`);
    assert.deepEqual(rows, [{ partitions_materialized: 60n }]);
    assert.deepEqual(fx.catalog.adminCalls.at(-1),
      ['materialize_partitions', 'log_entries', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T01:00:00Z'), 60]);
  });

  it('retire_partitions() removes an instance’s partitions in a range', async () => {
    await fx.catalog.addPartition('log_entries', 'p9', logsSql('p9', 0, 10));
    const [retired] = await fx.rows("SELECT * FROM retire_partitions('log_entries', 'p9', '2025-12-31T00:00:00Z', '2026-01-02T00:00:00Z')");
    assert.deepEqual(retired, { partitions_retired: 1n });
    const [left] = await fx.rows("SELECT count(*) AS n FROM list_partitions() WHERE view_instance_id = 'p9'");
    assert.equal(left!.n, 0n);
  });

  it('plans admin functions without running them', async () => {
    const calls = fx.catalog.adminCalls.length;
    const schema = await fx.engine.schema("SELECT * FROM materialize_partitions('log_entries', now() - INTERVAL 1 HOUR, now(), 60)");
    assert.deepEqual(schema.fields.map((f) => `${f.name}:${f.type}`), ['partitions_materialized:Int64']);
    assert.equal(fx.catalog.adminCalls.length, calls);
  });

  it('refuses admin functions when the engine does not allow them', async () => {
    const locked = await openFixture({ adminFunctions: false });
    try {
      await assert.rejects(locked.rows("SELECT * FROM retire_partitions('log_entries', 'p1', now(), now())"),
        { code: 'permission_denied', message: /admin function/ });
    } finally {
      await locked.close();
    }
  });

  it('rejects bad admin arguments with a clear message', async () => {
    await assert.rejects(fx.rows("SELECT * FROM materialize_partitions('log_entries', 'not a time', now(), 60)"),
      { code: 'invalid_argument', message: /materialize_partitions\(view_set, begin, end, delta_seconds\)/ });
    await assert.rejects(fx.rows("SELECT * FROM materialize_partitions('log_entries', now(), now(), 0)"),
      { code: 'invalid_argument', message: /delta_seconds must be positive/ });
  });

  it('make_histogram bins values, those outside its range in the edge bins (as micromegas), and keeps summary statistics', async () => {
    const [row] = await fx.rows(`SELECT make_histogram(0, 100, 10, v) AS h
      FROM (SELECT range AS v FROM range(0, 100) UNION ALL SELECT 500 UNION ALL SELECT -7 UNION ALL SELECT NULL)`);
    const h = row!.h as { toJSON(): Record<string, unknown> };
    const { bins, ...stats } = h.toJSON();
    assert.deepEqual([...(bins as Iterable<bigint>)], [11n, ...Array(8).fill(10n), 11n]);
    assert.deepEqual(stats, { start: 0, end: 100, min: -7, max: 500, sum: 5443, sum_sq: 328350 + 250000 + 49, count: 102n });
  });

  it('quantile_from_histogram interpolates within bins', async () => {
    const [row] = await fx.rows(`WITH h AS (SELECT make_histogram(0, 100, 10, range) AS h FROM range(0, 100))
      SELECT quantile_from_histogram(h, 0.5) AS median, quantile_from_histogram(h, 0.95) AS p95,
             quantile_from_histogram(h, 0) AS p0 FROM h`);
    assert.deepEqual(row, { median: 50, p95: 95, p0: 0 });
  });

  it('histograms work over a view (span durations)', async () => {
    // Durations 1000..16000 ns in bins [k*1000, (k+1)*1000): the 8th of 16 values fills bin 8 up to 9000.
    const [row] = await fx.rows(`SELECT quantile_from_histogram(make_histogram(0, 17000, 17, duration), 0.5) AS median
      FROM view_instance('thread_spans', 'stream-1')`);
    assert.equal(row!.median, 9000);
  });
});
