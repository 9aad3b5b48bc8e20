import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, openFixture, T0, type Fixture } from '../testing/fixture.js';

describe('query time range', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());

  it('filters rows on the view set time column, begin inclusive and end exclusive', async () => {
    const [row] = await fx.rows('SELECT count(*) AS n, min(msg) AS first, max(time) AS last FROM log_entries',
      { range: { begin: at(50), end: at(150) } });
    assert.equal(row!.n, 100n);
    assert.equal(row!.first, 'msg 100'); // min of strings; 'msg 100' < 'msg 50'
    assert.equal(row!.last, T0 + 149_000);
  });

  it('accepts a range open at either end', async () => {
    const [after50] = await fx.rows('SELECT count(*) AS n FROM log_entries', { range: { begin: at(50) } });
    const [before50] = await fx.rows('SELECT count(*) AS n FROM log_entries', { range: { end: at(50) } });
    assert.deepEqual([after50!.n, before50!.n], [150n, 50n]);
  });

  it('hands the range to the catalog so partitions outside it are pruned', async () => {
    const range = { begin: at(120), end: at(130) };
    const rows = await fx.rows('SELECT DISTINCT process_id FROM log_entries', { range });
    assert.deepEqual(rows, [{ process_id: 'p2' }]);
    const request = fx.catalog.requests.at(-1)!;
    assert.deepEqual(request, { viewSet: 'log_entries', instanceId: 'global', range });
    assert.equal((await fx.catalog.partitionsFor('log_entries', 'global', range)).length, 1);
  });

  it('gives an empty, typed result when no partition overlaps the range', async () => {
    const { table } = await fx.run('SELECT level, count(*) AS n FROM log_entries GROUP BY level',
      { range: { begin: at(10_000), end: at(20_000) } });
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`), ['level:Int32', 'n:Int64']);
  });

  it('filters thread spans on begin with nanosecond precision', async () => {
    // Spans begin at T0 + i ms + 7 ns: a range from T0 + 5 ms keeps spans 5..15.
    const rows = await fx.rows("SELECT id FROM view_instance('thread_spans', 'stream-1') ORDER BY id",
      { range: { begin: new Date(T0 + 5), end: new Date(T0 + 1000) } });
    assert.deepEqual(rows.map((r) => r.id), [5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 13n, 14n, 15n]);
  });

  it('applies the range to every view of a query', async () => {
    const [row] = await fx.rows(`SELECT (SELECT count(*) FROM log_entries) AS global,
      (SELECT count(*) FROM view_instance('log_entries', 'p1')) AS p1`, { range: { begin: at(90), end: at(110) } });
    assert.deepEqual(row, { global: 20n, p1: 10n });
  });
});
