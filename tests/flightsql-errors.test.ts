// A query that fails while its result streams, served over the real engine by FlightSQL and by the
// HTTP gateway: the client must get an error, never a silently shortened table, and the server must
// keep serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, viewSetTables, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { startGateway, type Gateway } from '@micromegas/backend/gateway/index';
import { openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';

let fixture: Fixture;
let server: FlightSqlServer;
let client: FlightSQLClient;
let gateway: Gateway;

const FAILS_LATE = `SELECT CASE WHEN i < 1000000 THEN i ELSE error('boom') END AS v FROM range(2000000) t(i)`;

before(async () => {
  fixture = await openFixture();
  server = await startFlightSqlServer({
    engine: fixture.engine, host: '127.0.0.1', port: 0, tables: () => viewSetTables(fixture.catalog.viewSets()),
  });
  client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
  gateway = await startGateway({ engine: fixture.engine, host: '127.0.0.1', port: 0 });
});

after(async () => {
  client.close();
  await gateway.close();
  await server.close();
  await fixture.close();
});

describe('FlightSQL: failures in the middle of a result', () => {
  it('ends the stream with an error status after the first batches, not with a short table', async () => {
    const { batches } = await client.queryStream(FAILS_LATE);
    let rows = 0;
    await assert.rejects((async () => { for await (const batch of batches) rows += batch.numRows; })(), (err: unknown) => {
      assert.ok(err instanceof FlightSQLError, `got ${String(err)}`);
      assert.equal(err.code, status.INTERNAL);
      assert.match(err.message, /query failed after \d+ rows/);
      return true;
    });
    assert.ok(rows > 0 && rows <= 1_000_000, `${rows} rows arrived before the error`);
  });

  it('breaks off the gateway response instead of completing it, so the HTTP client sees a failure', async () => {
    for (const format of ['json', 'arrow']) {
      const response = await fetch(`${gateway.url}/api/query`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: FAILS_LATE, format }),
      });
      assert.equal(response.status, 200, 'the failure came after the response started');
      await assert.rejects(response.arrayBuffer(), TypeError, format);
    }
  });

  it('keeps serving after the failure', async () => {
    const table = await client.query('SELECT count(*) AS n FROM log_entries');
    assert.equal(Number(table.get(0)!.n), 200);
    const response = await fetch(`${gateway.url}/api/query`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM log_entries' }),
    });
    assert.deepEqual(await response.json(), [{ n: 200 }]);
  });
});
