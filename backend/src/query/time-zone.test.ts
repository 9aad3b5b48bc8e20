import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/**
 * Runs `sql` on the test fixture's engine in a process whose time zone is Tokyo, and returns its
 * rows (bigints as strings) with the admin calls the catalog received.
 */
function inTokyo(sql: string): { rows: Record<string, string>[]; adminCalls: unknown[][] } {
  const script = `
    const { openFixture } = await import(${JSON.stringify(new URL('./testing/fixture.js', import.meta.url).href)});
    const fx = await openFixture();
    const rows = await fx.rows(${JSON.stringify(sql)});
    console.log(JSON.stringify({ rows, adminCalls: fx.catalog.adminCalls }, (_k, v) => typeof v === 'bigint' ? String(v) : v));
    await fx.close();`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: 'Asia/Tokyo' }, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { rows: Record<string, string>[]; adminCalls: unknown[][] };
}

describe('query time zone', () => {
  it('reads timestamps without a zone as UTC on a server in another zone', () => {
    const { rows, adminCalls } = inTokyo(`SELECT epoch_ms(CAST(TIMESTAMP '2026-01-01 00:00:00' AS TIMESTAMPTZ)) AS utc, partitions_materialized
      FROM materialize_partitions('log_entries', TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP '2026-01-01 01:00:00', 60)`);
    assert.deepEqual(rows, [{ utc: String(Date.UTC(2026, 0, 1)), partitions_materialized: '60' }]);
    assert.deepEqual(adminCalls, [['materialize_partitions', 'log_entries', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', 60]]);
  });

  it('now() is the current UTC time in nanoseconds (as DataFusion\'s), comparable with the views\' times', () => {
    const before = Date.now();
    const { rows } = inTokyo(`SELECT epoch_ms(now()) AS now_ms, typeof(now()) AS type, typeof(current_timestamp) AS current,
      count(*) FILTER (WHERE time >= now() - INTERVAL '100 years') AS recent FROM log_entries`);
    const after = Date.now();
    const [row] = rows;
    assert.ok(Number(row!.now_ms) >= before - 1000 && Number(row!.now_ms) <= after, `${row!.now_ms} in [${before}, ${after}]`);
    assert.deepEqual({ ...row, now_ms: undefined }, { now_ms: undefined, type: 'TIMESTAMP_NS', current: 'TIMESTAMP_NS', recent: '200' });
  });
});
