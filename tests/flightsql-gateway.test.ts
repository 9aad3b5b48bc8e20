import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromIPC } from 'apache-arrow';
import { startGateway, type Gateway } from '@micromegas/backend/gateway/index';
import { DuckDbTestEngine } from './flightsql-test-engine.js';

let engine: DuckDbTestEngine;
let gateway: Gateway;

before(async () => {
  engine = await DuckDbTestEngine.create([
    `CREATE TABLE measures AS SELECT TIMESTAMPTZ '2024-05-01T00:00:00Z' + INTERVAL (i * 1000) MICROSECOND AS time,
       'cpu' AS name, i::DOUBLE / 10 AS value, i AS seq FROM range(50000) t(i)`,
  ]);
  gateway = await startGateway({ engine, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await gateway.close();
  await engine.close();
});

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('HTTP query gateway', () => {
  it('returns JSON rows by default, timestamps as RFC 3339 and int64 as numbers', async () => {
    const response = await post({ sql: 'SELECT time, name, value, seq FROM measures ORDER BY seq LIMIT 2 OFFSET 1' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /application\/json/);
    assert.deepEqual(await response.json(), [
      { time: '2024-05-01T00:00:00.001000000Z', name: 'cpu', value: 0.1, seq: 1 },
      { time: '2024-05-01T00:00:00.002000000Z', name: 'cpu', value: 0.2, seq: 2 },
    ]);
  });

  it('streams an Arrow IPC stream when asked by Accept header', async () => {
    const response = await post({ sql: 'SELECT seq, value FROM measures' }, { accept: 'application/vnd.apache.arrow.stream' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    assert.equal(table.numRows, 50000);
    assert.ok(table.batches.length > 1);
    assert.equal(table.get(49999)!.seq, 49999n);
  });

  it('honours the format field and the time range', async () => {
    const response = await post({
      sql: `SELECT count(*)::INTEGER AS n FROM measures WHERE time >= getvariable('query_begin') AND time < getvariable('query_end')`,
      begin: '2024-05-01T00:00:01Z', end: '2024-05-01T00:00:02Z', format: 'arrow',
    });
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    assert.equal(table.get(0)!.n, 1000);
  });

  it('answers an empty result with an empty array', async () => {
    const response = await post({ sql: 'SELECT seq FROM measures WHERE seq < 0' });
    assert.deepEqual(await response.json(), []);
  });

  it('gives clear 4xx errors and keeps serving', async () => {
    const badSql = await post({ sql: 'SELEC 1' });
    assert.equal(badSql.status, 400);
    const body = await badSql.json() as { error: string; message: string };
    assert.equal(body.error, 'invalid_argument');
    assert.match(body.message, /syntax error/i);

    const badJson = await post('{"sql": ');
    assert.equal(badJson.status, 400);
    assert.match((await badJson.json() as { message: string }).message, /JSON/i);

    const missingSql = await post({ begin: '2024-01-01T00:00:00Z' });
    assert.equal(missingSql.status, 400);
    assert.match((await missingSql.json() as { message: string }).message, /sql/);

    const badTime = await post({ sql: 'SELECT 1', begin: 'last tuesday' });
    assert.equal(badTime.status, 400);
    assert.match((await badTime.json() as { message: string }).message, /begin/);

    const ok = await post({ sql: 'SELECT 3 AS three' });
    assert.deepEqual(await ok.json(), [{ three: 3 }]);
  });
});
