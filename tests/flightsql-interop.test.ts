// Interoperability: the Rust arrow-flight FlightSQL client (through @lakehouse-rs/flight-sql-client)
// against our server. That client runs every query as a prepared statement, sends metadata commands
// as an Any without a value, needs FlightInfo.schema, and refuses dictionary-encoded schemas.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFlightSqlClient, type FlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { DataType, Field, Int64, Schema, tableFromIPC, Utf8 } from 'apache-arrow';
import { deserializeSchema } from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { DuckDbTestEngine } from './flightsql-test-engine.js';

let engine: DuckDbTestEngine;
let server: FlightSqlServer;

before(async () => {
  engine = await DuckDbTestEngine.create([
    `CREATE TABLE spans AS SELECT i AS id, 'span_' || (i % 7) AS name, TIMESTAMPTZ '2024-03-01T00:00:00Z' + INTERVAL (i) MINUTE AS begin
       FROM range(5000) t(i)`,
  ]);
  server = await startFlightSqlServer({
    engine, host: '127.0.0.1', port: 0,
    tables: () => [{ name: 'spans', schema: new Schema([new Field('id', new Int64()), new Field('name', new Utf8())]) }],
  });
});

after(async () => {
  await server.close();
  await engine.close();
});

function rustClient(headers: Record<string, string> = {}, credentials: { username?: string; password?: string } = {}): Promise<FlightSqlClient> {
  return createFlightSqlClient({
    host: '127.0.0.1', port: server.port, tls: false, ...credentials,
    headers: Object.entries(headers).map(([key, value]) => ({ key, value })),
  });
}

describe('FlightSQL server with the Rust arrow-flight client', () => {
  it('runs a query (as a prepared statement) and returns its rows', async () => {
    const client = await rustClient();
    const table = tableFromIPC(await client.query('SELECT name, count(*) AS n FROM spans GROUP BY name ORDER BY name'));
    assert.equal(table.numRows, 7);
    assert.deepEqual(table.get(0)!.toJSON(), { name: 'span_0', n: 715n });
    assert.ok(DataType.isUtf8(table.schema.fields[0]!.type), 'strings arrive plain, not dictionary-encoded');
  });

  it('forwards the time range headers to the engine', async () => {
    const client = await rustClient({ query_range_begin: '2024-03-01T01:00:00Z', query_range_end: '2024-03-01T02:00:00+00:00' });
    const table = tableFromIPC(await client.query(
      `SELECT count(*) AS n FROM spans WHERE begin >= getvariable('query_begin') AND begin < getvariable('query_end')`));
    assert.equal(table.get(0)!.n, 60n);
    assert.equal(engine.received.at(-1)!.range?.end?.toISOString(), '2024-03-01T02:00:00.000Z');
  });

  it('completes a handshake when it is given credentials', async () => {
    const client = await rustClient({}, { username: 'grafana', password: 'secret' });
    assert.equal(tableFromIPC(await client.query('SELECT 1 AS one')).get(0)!.one, 1);
  });

  it('receives a large result sent as many batches', async () => {
    const client = await rustClient();
    const table = tableFromIPC(await client.query(`SELECT i, repeat('x', 50) AS pad FROM range(300000) t(i)`));
    assert.equal(table.numRows, 300000);
    assert.ok(table.batches.length > 10, `expected many batches, got ${table.batches.length}`);
    assert.equal(table.get(299999)!.i, 299999n);
  });

  it('receives batches bigger than gRPC\'s 4 MiB message limit, sliced by the server', async () => {
    const client = await rustClient();
    // One DuckDB chunk of 2048 rows × 5 kB strings is a 10 MB batch.
    const table = tableFromIPC(await client.query(`SELECT i, repeat(chr(65 + (i % 26)::INTEGER), 5000) AS big FROM range(4096) t(i)`));
    assert.equal(table.numRows, 4096);
    assert.ok(table.batches.every((b) => b.numRows < 2048), 'each 10 MB chunk went out as several messages');
    assert.equal(table.get(27)!.big, 'B'.repeat(5000));
  });

  it('lists catalogs, schemas and tables with their Arrow schemas', async () => {
    const client = await rustClient();
    assert.deepEqual(tableFromIPC(await client.getCatalogs()).toArray().map((r) => r.catalog_name), ['micromegas']);
    const schemas = tableFromIPC(await client.getDbSchemas({ catalog: 'micromegas' }));
    assert.deepEqual(schemas.toArray().map((r) => r.db_schema_name), ['public']);
    const tables = tableFromIPC(await client.getTables({ includeSchema: true, tableNameFilterPattern: 'sp%' }));
    assert.deepEqual(tables.toArray().map((r) => r.table_name), ['spans']);
    const schema = deserializeSchema(tables.get(0)!.table_schema as Uint8Array);
    assert.deepEqual(schema.fields.map((f) => f.name), ['id', 'name']);
  });

  it('gets an error for bad SQL and the server keeps serving', async () => {
    const client = await rustClient();
    await assert.rejects(client.query('SELEC broken FROM'));
    await assert.rejects(client.query('SELECT * FROM missing_table'));
    assert.equal(tableFromIPC(await client.query('SELECT 2 AS two')).get(0)!.two, 2);
  });
});
