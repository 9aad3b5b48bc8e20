// The FlightSQL server over the real DuckDB query engine and view sets (Parquet partitions of
// log_entries and thread_spans), read by our client and by the Rust arrow-flight client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { DataType, tableFromIPC } from 'apache-arrow';
import { deserializeSchema, FlightSQLClient } from '@micromegas/flightsql-client';
import { startFlightSqlServer, viewSetTables, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { at, openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';

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

describe('FlightSQL over the lakehouse query engine', () => {
  it('filters a global view by the time range sent in metadata', async () => {
    const all = await client.query('SELECT count(*) AS n FROM log_entries');
    assert.equal(Number(all.get(0)!.n), 200);
    const ranged = await client.query('SELECT count(*) AS n FROM log_entries', at(50), at(150));
    assert.equal(Number(ranged.get(0)!.n), 100);
  });

  it('serves view instances and plain strings unless dictionaries are asked for', async () => {
    const spans = await client.query(`SELECT name, depth FROM view_instance('thread_spans', 'stream-1') ORDER BY id LIMIT 2`);
    assert.deepEqual(spans.toArray().map((r) => r.toJSON()), [{ name: 'span_0', depth: 1 }, { name: 'span_1', depth: 2 }]);
    assert.ok(DataType.isUtf8(spans.schema.fields[0]!.type));
    const keeping = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}`, preserveDictionary: true });
    try {
      const table = await keeping.query('SELECT target FROM log_entries ORDER BY time LIMIT 3');
      assert.ok(DataType.isDictionary(table.schema.fields[0]!.type));
      assert.deepEqual(table.toArray().map((r) => r.target), ['tgt0', 'tgt1', 'tgt2']);
    } finally {
      keeping.close();
    }
  });

  it('lists the global view sets as tables with their schemas', async () => {
    const tables = await client.getTables({ include_schema: true });
    assert.deepEqual(tables.toArray().map((r) => r.table_name), ['log_entries']);
    const schema = deserializeSchema(tables.get(0)!.table_schema as Uint8Array);
    assert.deepEqual(schema.fields.map((f) => f.name), ['process_id', 'exe', 'time', 'target', 'level', 'msg', 'properties']);
    assert.ok(schema.fields.every((f) => !DataType.isDictionary(f.type)));
  });

  it('answers the Rust client with the same rows, range included', async () => {
    const rust = await createFlightSqlClient({
      host: '127.0.0.1', port: server.port, tls: false,
      headers: [{ key: 'query_range_begin', value: at(10).toISOString() }, { key: 'query_range_end', value: at(20).toISOString() }],
    });
    const table = tableFromIPC(await rust.query('SELECT process_id, target, level, msg, properties FROM log_entries ORDER BY time'));
    assert.equal(table.numRows, 10);
    assert.deepEqual(table.get(0)!.toJSON().msg, 'msg 10');
    assert.equal(table.get(0)!.process_id, 'p1');
    const described = tableFromIPC(await rust.getTables({ includeSchema: true }));
    assert.deepEqual(described.toArray().map((r) => r.table_name), ['log_entries']);
  });
});
