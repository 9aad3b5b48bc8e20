import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LightStatements } from './light-statements.js';

describe('LightStatements', () => {
  let light: LightStatements;
  before(async () => { light = await LightStatements.open(); });
  after(() => light.close());

  it('calls light only statements that read no table, wherever a table hides', async () => {
    for (const sql of ['SELECT 1', "SELECT now() AS t, repeat('x', 3) AS s", 'SELECT (SELECT 2) + 1 AS n', 'SELEC nonsense']) {
      assert.equal(await light.isLight(sql), true, sql);
    }
    for (const sql of [
      'SELECT * FROM log_entries', 'FROM log_entries', 'SELECT (SELECT count(*) FROM log_entries) AS n',
      'SELECT 1 UNION ALL SELECT count(*) FROM log_entries', 'WITH a AS (SELECT 1 AS x) SELECT x FROM a',
      'SELECT * FROM range(3)', "SELECT * FROM view_instance('log_entries', 'p1')", 'DESCRIBE log_entries',
      'SUMMARIZE log_entries', 'PIVOT log_entries ON level IN (1, 2) USING count(*)', 'SELECT 1 WHERE EXISTS (SELECT 1 FROM blocks)',
    ]) {
      assert.equal(await light.isLight(sql), false, sql);
    }
  });
});
