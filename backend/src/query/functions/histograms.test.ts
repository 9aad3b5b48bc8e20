import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFixture, type Fixture } from '../testing/fixture.js';
import { plainRows } from '../testing/plain-rows.js';

/** make_histogram over [0, 10) in 5 bins of the values 0..9 of `group`-th class (value % classes). */
const PER_CLASS = (classes: number) => `SELECT range % ${classes} AS k, make_histogram(0.0, 10.0, 5, range) AS h FROM range(10) GROUP BY k`;

describe('micromegas histogram functions', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());
  const rows = (sql: string) => plainRows(fx, sql);

  it('make_histogram returns micromegas\' struct: field names and types', async () => {
    const schema = await fx.engine.schema('SELECT make_histogram(0.0, 1.0, 4, 0.5) AS h');
    assert.equal(String(schema.fields[0]!.type),
      'Struct<{start:Float64, end:Float64, min:Float64, max:Float64, sum:Float64, sum_sq:Float64, count:Uint64, bins:List<Uint64>}>');
  });

  it('make_histogram bins as micromegas computes it (floor of the offset over the bin width), even on bin edges', async () => {
    // 0.3 / 0.1 is 2.9999999999999996 in doubles: bin 2, as in micromegas (0.3 / 1.0 * 10 would say 3).
    assert.deepEqual(await rows('SELECT make_histogram(0.0, 1.0, 10, 0.3).bins AS bins'), [{ bins: [0n, 0n, 1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] }]);
    // A zero-width range: values above its start in the last bin, the others in the first.
    assert.deepEqual(await rows('SELECT make_histogram(5, 5, 3, v).bins AS bins FROM (VALUES (4.0), (5.0), (6.0)) t(v)'), [{ bins: [2n, 0n, 1n] }]);
  });

  it('make_histogram of no value: zero counts and sums, NULL min and max', async () => {
    assert.deepEqual(await rows('SELECT make_histogram(0, 10, 2, v) AS h FROM (SELECT CAST(NULL AS DOUBLE) AS v)'),
      [{ h: { start: 0, end: 10, min: null, max: null, sum: 0, sum_sq: 0, count: 0n, bins: [0n, 0n] } }]);
  });

  it('make_histogram refuses a bin count below 1, a reversed or infinite range', async () => {
    await assert.rejects(fx.rows('SELECT make_histogram(0, 100, 0, 1)'), { code: 'invalid_argument', message: /make_histogram: bins must be >= 1, got 0/ });
    await assert.rejects(fx.rows('SELECT make_histogram(10, 1, 3, 1)'), { code: 'invalid_argument', message: /make_histogram: start \(10\) must be <= end \(1\)/ });
    await assert.rejects(fx.rows("SELECT make_histogram(0, 'inf'::DOUBLE, 3, 1)"), { code: 'invalid_argument', message: /start and end must be finite/ });
  });

  it('sum_histograms adds histograms of one shape bin by bin, skipping NULLs', async () => {
    assert.deepEqual(await rows(`SELECT sum_histograms(h) AS h FROM (${PER_CLASS(2)} UNION ALL SELECT 9, NULL)`),
      [{ h: { start: 0, end: 10, min: 0, max: 9, sum: 45, sum_sq: 285, count: 10n, bins: [2n, 2n, 2n, 2n, 2n] } }]);
    assert.deepEqual(await rows(`SELECT k % 2 AS parity, sum_histograms(h).bins AS bins FROM (${PER_CLASS(5)}) GROUP BY parity ORDER BY parity`), [
      { parity: 0n, bins: [1n, 1n, 2n, 1n, 1n] }, // classes 0, 2, 4: values 0 5, 2 7, 4 9
      { parity: 1n, bins: [1n, 1n, 0n, 1n, 1n] }, // classes 1, 3: values 1 6, 3 8
    ]);
    assert.deepEqual(await rows('SELECT sum_histograms(h) AS h FROM (SELECT make_histogram(0, 1, 2, 1) AS h) WHERE false'), [{ h: null }]);
  });

  it('sum_histograms refuses histograms of different ranges or bin counts', async () => {
    for (const other of ['make_histogram(0, 20, 5, 1)', 'make_histogram(0, 10, 4, 1)']) {
      await assert.rejects(fx.rows(`SELECT sum_histograms(h) FROM (SELECT make_histogram(0, 10, 5, 1) AS h UNION ALL SELECT ${other})`),
        { code: 'invalid_argument', message: /sum_histograms: the histograms differ in range or bin count/ });
    }
  });

  it('quantile_from_histogram interpolates within the first bin reaching the quantile, as micromegas', async () => {
    const [row] = await fx.rows(`WITH h AS (SELECT make_histogram(0, 100, 10, range) AS h FROM range(0, 100))
      SELECT quantile_from_histogram(h, 0.5) AS median, quantile_from_histogram(h, 0.95) AS p95, quantile_from_histogram(h, 0.33) AS p33,
        quantile_from_histogram(h, 0) AS p0, quantile_from_histogram(h, 1.5) AS beyond FROM h`);
    assert.deepEqual({ ...row }, { median: 50, p95: 95, p33: 33, p0: 0, beyond: 100 });
    // Skewed: 3 values in bin 0, 1 in bin 3 of [0, 4): the median is 2/3 into bin 0.
    const [skewed] = await fx.rows('SELECT quantile_from_histogram(make_histogram(0, 4, 4, v), 0.5) AS median FROM (VALUES (0.1), (0.2), (0.3), (3.5)) t(v)');
    assert.ok(Math.abs((skewed!.median as number) - 2 / 3) < 1e-12);
  });

  it('variance_from_histogram is the sample variance; count and sum come from the struct', async () => {
    assert.deepEqual(await rows(`WITH h AS (SELECT make_histogram(0, 10, 5, v) AS h FROM (VALUES (2.0), (4.0), (4.0), (4.0), (5.0), (5.0), (7.0), (9.0)) t(v))
      SELECT variance_from_histogram(h) AS variance, count_from_histogram(h) AS n, sum_from_histogram(h) AS total FROM h`),
    [{ variance: 32 / 7, n: 8n, total: 40 }]);
  });

  it('an empty or NULL histogram gives NULL quantile and variance (micromegas: its end, and NaN)', async () => {
    assert.deepEqual(await rows(`WITH h AS (SELECT make_histogram(0, 10, 5, CAST(NULL AS DOUBLE)) AS h)
      SELECT quantile_from_histogram(h, 0.5) AS q, variance_from_histogram(h) AS v, count_from_histogram(h) AS n,
        quantile_from_histogram(NULL, 0.5) AS q_null FROM h`),
    [{ q: null, v: null, n: 0n, q_null: null }]);
    assert.deepEqual(await rows('SELECT variance_from_histogram(h) AS v_one FROM (SELECT make_histogram(0, 1, 1, 0.5) AS h)'), [{ v_one: null }]);
  });

  it('expand_histogram gives each bin\'s center and count, from a subquery or an expression', async () => {
    assert.deepEqual(await rows('SELECT bin_center, count FROM expand_histogram((SELECT make_histogram(0.0, 10.0, 5, range) FROM range(10, 20)))'), [
      { bin_center: 1, count: 0n }, { bin_center: 3, count: 0n }, { bin_center: 5, count: 0n }, { bin_center: 7, count: 0n }, { bin_center: 9, count: 10n },
    ]);
    assert.deepEqual(await rows('SELECT * FROM expand_histogram(make_histogram(5.0, 5.0, 2, 6.0))'), [
      { bin_center: 5.5, count: 0n }, { bin_center: 6.5, count: 1n }, // a zero-width range: unit-wide bins, as micromegas
    ]);
    const schema = await fx.engine.schema('SELECT * FROM expand_histogram(make_histogram(0, 1, 1, 1))');
    assert.deepEqual(schema.fields.map((f) => `${f.name}:${f.type}`), ['bin_center:Float64', 'count:Uint64']);
  });

  it('expand_histogram over a view\'s histogram, and of a NULL histogram no rows', async () => {
    const expanded = await rows(`SELECT count FROM expand_histogram((SELECT make_histogram(0, 6, 6, level) FROM log_entries)) ORDER BY bin_center`);
    assert.deepEqual(expanded.map((r) => r.count), [34n, 34n, 34n, 34n, 32n, 32n]);
    assert.deepEqual(await rows(`SELECT * FROM expand_histogram((SELECT sum_histograms(h) FROM (SELECT make_histogram(0, 1, 1, 1) AS h) WHERE false))`), []);
  });

  it('refuses a histogram argument of another type, naming the struct expected', async () => {
    for (const sql of ['SELECT * FROM expand_histogram(42)', 'SELECT count_from_histogram(42)', 'SELECT quantile_from_histogram(1, 0.5)']) {
      await assert.rejects(fx.rows(sql), { code: 'invalid_argument', message: /does not support the supplied arguments[\s\S]*STRUCT\("start" DOUBLE, "end" DOUBLE/ }, sql);
    }
  });
});
