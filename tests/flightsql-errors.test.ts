// A query that fails while its result streams, served by FlightSQL over the real engine: the client
// must get an error status, never a silently shortened table, and the server must keep serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, viewSetTables, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';

let fixture: Fixture;
let server: FlightSqlServer;
let client: FlightSQLClient;

before(async () => {
  fixture = await openFixture();
  server = await startFlightSqlServer({
    engine: fixture.engine, host: '127.0.0.1', port: 0, tables: () => viewSetTables(fixture.catalog.viewSets()),
  });
  client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
});

after(async () => {
  client.close();
  await server.close();
  await fixture.close();
});

describe('FlightSQL: failures in the middle of a result', () => {
  it('ends the stream with an error status after the first batches, not with a short table', async () => {
    const { batches } = await client.queryStream(
      `SELECT CASE WHEN i < 1000000 THEN i ELSE error('boom') END AS v FROM range(2000000) t(i)`);
    let rows = 0;
    await assert.rejects((async () => { for await (const batch of batches) rows += batch.numRows; })(), (err: unknown) => {
      assert.ok(err instanceof FlightSQLError, `got ${String(err)}`);
      assert.equal(err.code, status.INTERNAL);
      assert.match(err.message, /query failed after \d+ rows/);
      return true;
    });
    assert.ok(rows > 0 && rows <= 1_000_000, `${rows} rows arrived before the error`);
  });

  it('keeps serving after the failure', async () => {
    const table = await client.query('SELECT count(*) AS n FROM log_entries');
    assert.equal(Number(table.get(0)!.n), 200);
  });
});
