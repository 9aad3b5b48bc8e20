import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { QueryError } from './engine.js';
import { openFixture, type Fixture } from './testing/fixture.js';

describe('query lockdown', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());

  const refused = (code: string, message: RegExp) => (error: QueryError) => {
    assert.equal(error.name, 'QueryError');
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  };

  it('refuses file-reading table functions, even on files inside the lake directory', async () => {
    const partition = join(fx.dir, 'log_entries-global-0.parquet');
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      `SELECT * FROM read_parquet('${partition}')`,
      `SELECT count(*) FROM log_entries WHERE msg IN (SELECT msg FROM read_parquet(['${partition}']))`,
      `SELECT * FROM glob('${fx.dir}/*')`,
      "SELECT * FROM read_json_auto('/etc/hosts')",
      "SELECT * FROM query('SELECT 1')",
      'SELECT * FROM duckdb_settings()',
    ]) {
      await assert.rejects(fx.rows(sql), refused('permission_denied', /table function .* is not allowed/), sql);
    }
  });

  it('refuses file paths and other databases used as tables', async () => {
    await assert.rejects(fx.rows(`SELECT * FROM '${join(fx.dir, 'log_entries-global-0.parquet')}'`),
      refused('invalid_argument', /does not exist/));
    await assert.rejects(fx.rows('SELECT * FROM main.log_entries'), refused('invalid_argument', /main\.log_entries does not exist/));
    await assert.rejects(fx.rows("SUMMARIZE '/etc/passwd'"), refused('invalid_argument', /does not exist/));
    await assert.rejects(fx.rows("DESCRIBE '/etc/passwd'"), refused('invalid_argument', /does not exist/));
  });

  it('runs only read-only queries', async () => {
    for (const sql of [
      `COPY (SELECT 1) TO '${join(fx.dir, 'out.csv')}'`,
      `ATTACH '${join(fx.dir, 'other.db')}' AS other`,
      'INSTALL httpfs',
      'LOAD httpfs',
      "SET memory_limit = '100GB'",
      "PRAGMA memory_limit = '100GB'",
      'CREATE TABLE t AS SELECT 1',
      'CREATE MACRO evil(a) AS a',
      'EXPLAIN SELECT 1',
      'DETACH memory',
    ]) {
      await assert.rejects(fx.rows(sql), refused('permission_denied', /only one read-only query is allowed/), sql);
    }
  });

  it('runs exactly one statement', async () => {
    await assert.rejects(fx.rows('SELECT 1; SELECT 2'), refused('permission_denied', /one statement per query: got 2/));
    await assert.rejects(fx.rows("SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'"), refused('permission_denied', /read-only/));
    await assert.rejects(fx.rows('  ;  '), refused('invalid_argument', /empty query/));
    await assert.rejects(fx.rows("SELECT 1\0'); COPY (SELECT 1) TO 'x.csv"), refused('invalid_argument', /NUL/));
  });

  it('runs on a DuckDB with external access off, a memory bound and a locked configuration', async () => {
    const [row] = await fx.rows(`SELECT current_setting('enable_external_access') AS external,
      current_setting('lock_configuration') AS locked, current_setting('memory_limit') AS memory,
      current_setting('autoload_known_extensions') AS autoload`);
    assert.deepEqual(row, { external: false, locked: true, memory: '244.1 MiB', autoload: false });
  });

  it('reports bad SQL with DuckDB’s own message and keeps serving', async () => {
    await assert.rejects(fx.rows('SELEC 1'), refused('invalid_argument', /^Parser Error: syntax error at or near "SELEC"/));
    await assert.rejects(fx.rows('SELECT nope FROM log_entries'), (error: QueryError) => {
      assert.equal(error.code, 'invalid_argument');
      assert.match(error.message, /^Binder Error: Referenced column "nope" not found/);
      assert.doesNotMatch(error.message, /read_parquet|LINE 1/); // no echo of the generated SQL
      return true;
    });
    await assert.rejects(fx.rows("SELECT 'x'::INTEGER"), refused('invalid_argument', /^Conversion Error/));
    assert.deepEqual(await fx.rows('SELECT 1 AS one'), [{ one: 1 }]);
  });

  // A lost abort lets this query count for minutes, so a generous bound turns a regression into a failure, not a hang.
  it('stops a running query when its signal aborts, whatever stage the query is at', { timeout: 120_000 }, async () => {
    // Counting 10^12 rows takes minutes (DuckDB really counts them): only the abort can end it soon.
    const endless = 'SELECT count(*) FROM range(1000000000000) a';
    const drain = async (signal: AbortSignal) => {
      const result = await fx.engine.query(endless, { signal });
      for await (const _batch of result.batches);
    };
    // The aborts land while connecting, during the rewrite, before DuckDB starts executing, or while it
    // executes (which stage depends on the machine's load); none may be lost.
    for (const delayMs of [0, 1, 2, 3, 5, 8, 13, 21, 50]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), delayMs);
      await assert.rejects(drain(controller.signal), refused('cancelled', /interrupt|abort/i), `abort after ${delayMs} ms`);
    }
    await assert.rejects(fx.engine.query('SELECT 1', { signal: AbortSignal.abort() }), refused('cancelled', /abort/i));
    assert.deepEqual(await fx.rows('SELECT 2 AS two'), [{ two: 2 }]);
  });
});
