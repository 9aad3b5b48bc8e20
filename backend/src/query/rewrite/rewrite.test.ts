import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFixture, type Fixture } from '../testing/fixture.js';

describe('query rewrite over view sets', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());

  it('scans every partition of a global view named as a table', async () => {
    const [row] = await fx.rows('SELECT count(*) AS n, min(msg) AS first, count(DISTINCT process_id) AS processes FROM log_entries');
    assert.deepEqual(row, { n: 200n, first: 'msg 0', processes: 2n });
  });

  it("scans one instance through view_instance('set', 'id')", async () => {
    const rows = await fx.rows("SELECT DISTINCT process_id FROM view_instance('log_entries', 'p1')");
    assert.deepEqual(rows, [{ process_id: 'p1' }]);
    const request = fx.catalog.requests.at(-1)!;
    assert.equal(request.viewSet, 'log_entries');
    assert.equal(request.instanceId, 'p1');
  });

  it("reads the global instance through view_instance(set, 'global'), names case-insensitively", async () => {
    const [row] = await fx.rows("SELECT count(*) AS n FROM VIEW_INSTANCE('Log_Entries', 'global') JOIN (SELECT 1) ON true");
    const [upper] = await fx.rows('SELECT count(*) AS n FROM LOG_ENTRIES;');
    assert.deepEqual([row!.n, upper!.n], [200n, 200n]);
  });

  it('accepts computed view_instance arguments', async () => {
    const [row] = await fx.rows("SELECT count(*) AS n FROM view_instance('log_' || 'entries', concat('p', 1))");
    assert.equal(row!.n, 100n);
  });

  it('keeps aliases, qualified column references and column aliases', async () => {
    const [row] = await fx.rows(
      "SELECT l.level, log_entries.msg FROM log_entries, log_entries AS l WHERE l.msg = 'msg 7' AND log_entries.msg = 'msg 8'");
    assert.deepEqual(row, { level: 1, msg: 'msg 8' });
    const [renamed] = await fx.rows('SELECT a FROM log_entries AS l(a) WHERE msg = \'msg 3\'');
    assert.deepEqual(renamed, { a: 'p1' });
  });

  it('joins a global view with a view instance', async () => {
    const [row] = await fx.rows(`SELECT count(*) AS n FROM log_entries g
      JOIN view_instance('log_entries', 'p1') p ON g.msg = p.msg AND g.time = p.time`);
    assert.equal(row!.n, 100n);
  });

  it('rewrites inside subqueries, set operations and CTE bodies', async () => {
    const [row] = await fx.rows(`WITH errors AS (SELECT * FROM log_entries WHERE level = 5)
      SELECT (SELECT count(*) FROM errors) AS errors,
             (SELECT count(*) FROM log_entries WHERE msg IN (SELECT msg FROM view_instance('log_entries', 'p1'))) AS from_p1,
             (SELECT count(*) FROM (SELECT msg FROM log_entries UNION ALL SELECT msg FROM log_entries)) AS doubled`);
    assert.deepEqual(row, { errors: 32n, from_p1: 100n, doubled: 400n });
  });

  it('lets a CTE named like a view shadow it, and only within its scope', async () => {
    const [row] = await fx.rows(`SELECT (WITH log_entries AS (SELECT 42 AS x) SELECT x FROM log_entries) AS shadowed,
      (SELECT count(*) FROM log_entries) AS real`);
    assert.deepEqual(row, { shadowed: 42, real: 200n });
  });

  it('lets a CTE read the view it shadows', async () => {
    const [row] = await fx.rows(`WITH first AS (SELECT * FROM log_entries WHERE level = 0),
      log_entries AS (SELECT count(*) AS n FROM first) SELECT n FROM log_entries`);
    assert.deepEqual(row, { n: 34n });
  });

  it('supports recursive CTEs next to views', async () => {
    const rows = await fx.rows(`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)
      SELECT n, (SELECT count(*) FROM log_entries WHERE level = n) AS c FROM r ORDER BY n`);
    assert.deepEqual(rows, [{ n: 1, c: 34n }, { n: 2, c: 34n }, { n: 3, c: 34n }]);
  });

  it('gives a typed empty relation for an instance without partitions', async () => {
    const { table } = await fx.run("SELECT time, level, properties FROM view_instance('log_entries', 'nobody')");
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => String(f.type)),
      ['Timestamp<NANOSECOND, +00:00>', 'Int32', 'List<Struct<{key:Utf8, value:Utf8}>>']);
  });

  it('refuses a view set without a global instance used as a table', async () => {
    await assert.rejects(fx.rows('SELECT * FROM thread_spans'), (e: Error & { code?: string }) =>
      e.code === 'invalid_argument' && /view_instance\('thread_spans', '<stream_id>'\)/.test(e.message));
  });

  it('reports unknown tables and view sets', async () => {
    await assert.rejects(fx.rows('SELECT * FROM nope'), { code: 'invalid_argument', message: /Table with name nope does not exist/ });
    await assert.rejects(fx.rows("SELECT * FROM view_instance('nope', 'x')"), { code: 'not_found', message: /unknown view set 'nope'/ });
    await assert.rejects(fx.rows("SELECT * FROM view_instance('log_entries')"), { code: 'invalid_argument', message: /takes 2 argument/ });
  });

  it('answers DESCRIBE of a view with its declared schema', async () => {
    const rows = await fx.rows('DESCRIBE log_entries');
    assert.deepEqual(rows.map((r) => [r.column_name, r.data_type, r.is_nullable]), [
      ['process_id', 'Dictionary(Int16, Utf8)', 'NO'],
      ['exe', 'Dictionary(Int16, Utf8)', 'NO'],
      ['time', 'Timestamp(Nanosecond, Some("+00:00"))', 'NO'],
      ['target', 'Dictionary(Int16, Utf8)', 'NO'],
      ['level', 'Int32', 'NO'],
      ['msg', 'Utf8', 'NO'],
      ['properties', 'List(Field { name: "Property", data_type: Struct([Field { name: "key", data_type: Utf8, nullable: false, ' +
        'dict_id: 0, dict_is_ordered: false, metadata: {} }, Field { name: "value", data_type: Utf8, nullable: false, dict_id: 0, ' +
        'dict_is_ordered: false, metadata: {} }]), nullable: false, dict_id: 0, dict_is_ordered: false, metadata: {} })', 'NO'],
    ]);
  });

  it('describes view sets without a global instance, by name or through view_instance', async () => {
    const requests = fx.catalog.requests.length;
    const byName = await fx.rows('DESCRIBE thread_spans');
    const byInstance = await fx.rows("DESCRIBE SELECT * FROM view_instance('thread_spans', 'stream-1')");
    assert.deepEqual(byName, byInstance);
    assert.deepEqual(byName.slice(4, 8).map((r) => [r.column_name, r.data_type]), [
      ['begin', 'Timestamp(Nanosecond, Some("+00:00"))'], ['end', 'Timestamp(Nanosecond, Some("+00:00"))'],
      ['duration', 'Int64'], ['name', 'Dictionary(Int16, Utf8)'],
    ]);
    assert.equal(fx.catalog.requests.length, requests); // describing materializes nothing
  });

  it('answers DESCRIBE of a query, also nested in a SELECT', async () => {
    const rows = await fx.rows(`SELECT column_name, data_type FROM (DESCRIBE SELECT begin, duration, name
      FROM view_instance('thread_spans', 'stream-1')) WHERE column_name <> 'name'`);
    assert.deepEqual(rows, [
      { column_name: 'begin', data_type: 'Timestamp(Nanosecond, Some("+00:00"))' },
      { column_name: 'duration', data_type: 'Int64' },
    ]);
  });

  it('lists global views for SHOW TABLES', async () => {
    assert.deepEqual(await fx.rows('SHOW TABLES'), [{ name: 'log_entries' }]);
  });

  it('rewrites the query inside SUMMARIZE', async () => {
    const rows = await fx.rows('SELECT column_name, count FROM (SUMMARIZE SELECT level FROM log_entries)');
    assert.deepEqual(rows, [{ column_name: 'level', count: 200n }]);
  });
});
