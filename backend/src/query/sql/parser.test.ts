import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseQuery, printStatements } from './parser.js';

async function numbers(connection: DuckDBConnection, sql: string): Promise<unknown[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRows()[0]!.map((value) => (typeof value === 'string' ? value : Number(String(value))));
}

describe('parse and print round trip', () => {
  it('prints integral DOUBLE constants (1e6) back as numbers DuckDB accepts, with their values', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const sql = "SELECT 1e6 AS a, -3e2 AS b, 2.5e0 AS c, 1e300 AS d, 42 AS e, '\\u0000float:1' AS s, 7 / 1e6 AS f, 1500 / 1e3 AS g";
      const printed = await printStatements(connection, [await parseQuery(connection, sql)]);
      assert.deepEqual(await numbers(connection, printed), await numbers(connection, sql));
      assert.deepEqual(await numbers(connection, printed), [1e6, -300, 2.5, 1e300, 42, '\\u0000float:1', 7e-6, 1.5]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
