import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { literalNs, planBins, spanRange, withRange, type Bounds } from './rollup-bounds.js';

const S = 1_000_000_000n; // a second in ns
const bounds = (lower: [bigint, boolean][], upper: [bigint, boolean][]): Bounds => ({
  lower: lower.map(([at, inclusive]) => ({ at, inclusive })),
  upper: upper.map(([at, inclusive]) => ({ at, inclusive })),
});

describe('rollup bins', () => {
  it('reads whole-second bounds as bins only: no partial bin at either end', () => {
    assert.deepEqual(planBins(bounds([[10n * S, true]], [[70n * S, false]]), S), { interior: { begin: 10n * S, end: 70n * S }, edges: [] });
  });

  it('leaves the partial seconds of bounds in milliseconds to the rows, one bin at each end', () => {
    const plan = planBins(bounds([[10n * S + 250_000_000n, true]], [[70n * S + 750_000_000n, true]]), S);
    assert.deepEqual(plan, { interior: { begin: 11n * S, end: 70n * S }, edges: [{ begin: 10n * S, end: 11n * S }, { begin: 70n * S, end: 71n * S }] });
  });

  it('keeps the bin of an inclusive end on a whole second (its first instant meets the bound), not of an exclusive one', () => {
    assert.deepEqual(planBins(bounds([], [[70n * S, true]]), S)?.edges, [{ begin: 70n * S, end: 71n * S }]);
    assert.deepEqual(planBins(bounds([], [[70n * S, false]]), S)?.edges, []);
  });

  it('treats an exclusive begin on a whole second as a partial bin', () => {
    assert.deepEqual(planBins(bounds([[10n * S, false]], []), S), { interior: { begin: 11n * S }, edges: [{ begin: 10n * S, end: 11n * S }] });
  });

  it('takes the tightest of several bounds, and the query range as bounds', () => {
    const joined = withRange(bounds([[5n * S, true]], [[90n * S + 1n, false]]), { begin: new Date(7_500), end: new Date(80_000) });
    assert.deepEqual(planBins(joined, S), { interior: { begin: 8n * S, end: 80n * S }, edges: [{ begin: 7n * S, end: 8n * S }] });
  });

  it('gives no plan when no whole bin lies within the bounds, and an open interior without bounds', () => {
    assert.equal(planBins(bounds([[10n * S + 1n, true]], [[11n * S + 5n, true]]), S), undefined);
    assert.equal(planBins(bounds([[10n * S, true]], [[10n * S, true]]), S), undefined);
    assert.deepEqual(planBins(bounds([], []), S), { interior: {}, edges: [] });
  });

  it('bins before 1970 as after it (floor, not truncation)', () => {
    assert.deepEqual(planBins(bounds([[-1_500_000_000n, true]], [[500_000_000n, false]]), S),
      { interior: { begin: -S, end: 0n }, edges: [{ begin: -2n * S, end: -S }, { begin: 0n, end: S }] });
  });

  it('turns spans of whole bins into time ranges', () => {
    assert.deepEqual(spanRange({ begin: 60n * S }), { begin: new Date(60_000) });
    assert.deepEqual(spanRange({ begin: 0n, end: 2n * S }), { begin: new Date(0), end: new Date(2000) });
  });
});

describe('timestamp literals', () => {
  it('reads UTC text to the nanosecond, as DuckDB reads it without a zone', () => {
    assert.equal(literalNs('2026-12-06 15:00:01', 9), 1_796_569_201n * S);
    assert.equal(literalNs('2026-12-06T15:00:01.5', 9), 1_796_569_201n * S + 500_000_000n);
    assert.equal(literalNs('2026-12-06 15:00:01.123456789', 9), 1_796_569_201n * S + 123_456_789n);
  });

  it('refuses what it would not read the same way: zones, too many digits for the type, impossible dates', () => {
    for (const text of ['2026-12-06 15:00:01Z', '2026-12-06 15:00:01+02', '2026-12-06', 'now', '2026-02-30 00:00:00', '2026-12-06 24:00:00']) {
      assert.equal(literalNs(text, 9), undefined, text);
    }
    assert.equal(literalNs('2026-12-06 15:00:01.1234567', 6), undefined);
  });
});
