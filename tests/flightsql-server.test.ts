import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DataType, Dictionary, Field, Int32, Schema, TimestampNanosecond, Utf8, type Table } from 'apache-arrow';
import {
  DescriptorType, deserializeSchema, FlightSQLClient, FlightSQLError, flightServiceDefinition, packAny, type FlightDescriptor,
} from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { QueryError, type QueryEngine } from '@micromegas/backend/query/engine';
import { DuckDbTestEngine } from './flightsql-test-engine.js';

const logSchema = new Schema([
  new Field('time', new TimestampNanosecond('UTC'), false),
  new Field('level', new Int32(), false),
  new Field('target', new Dictionary(new Utf8(), new Int32()), false),
  new Field('msg', new Utf8(), false),
]);

let engine: DuckDbTestEngine;
let server: FlightSqlServer;
let client: FlightSQLClient;

before(async () => {
  engine = await DuckDbTestEngine.create([
    `CREATE TABLE log_entries AS SELECT TIMESTAMPTZ '2024-01-01T00:00:00Z' + INTERVAL (i) SECOND AS time,
       (i % 6)::INTEGER AS level, 'target_' || (i % 3) AS target, 'message ' || i AS msg FROM range(1000) t(i)`,
  ]);
  server = await startFlightSqlServer({
    engine, host: '127.0.0.1', port: 0,
    tables: () => [{ name: 'log_entries', schema: logSchema }, { name: 'measures', schema: new Schema([new Field('value', new Int32())]) }],
  });
  client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
});

after(async () => {
  client.close();
  await server.close();
  await engine.close();
});

const column = (table: Table, name: string) => table.getChild(name)!.toArray();

describe('FlightSQL server with our client', () => {
  it('runs a statement and returns typed Arrow columns', async () => {
    const table = await client.query(`SELECT level, count(*)::INTEGER AS n, min(msg) AS first FROM log_entries GROUP BY level ORDER BY level`);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['level', 'n', 'first']);
    assert.deepEqual([...column(table, 'level')], [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...column(table, 'n')], [167, 167, 167, 167, 166, 166]);
    assert.equal(table.get(1)!.first, 'message 1');
  });

  it('passes query_range_begin/query_range_end to the engine', async () => {
    const begin = new Date('2024-01-01T00:00:10Z');
    const end = new Date('2024-01-01T00:00:20Z');
    const table = await client.query(
      `SELECT count(*)::INTEGER AS n FROM log_entries WHERE time >= getvariable('query_begin') AND time < getvariable('query_end')`,
      begin, end);
    assert.equal(table.get(0)!.n, 10);
    const seen = engine.received.at(-1)!;
    assert.equal(seen.range?.begin?.toISOString(), begin.toISOString());
    assert.equal(seen.range?.end?.toISOString(), end.toISOString());
  });

  it('rejects a time bound that is not RFC 3339 with INVALID_ARGUMENT', async () => {
    await assert.rejects(client.query('SELECT 1', 'yesterday-ish'), (err: unknown) => {
      assert.ok(err instanceof FlightSQLError);
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.message, /query_range_begin/);
      return true;
    });
  });

  it('streams a large result as many batches', async () => {
    const { batches } = await client.queryStream(`SELECT i, 'row ' || i AS label FROM range(200000) t(i)`);
    let count = 0;
    let rows = 0;
    let sum = 0n;
    for await (const batch of batches) {
      count += 1;
      rows += batch.numRows;
      for (const v of batch.getChild('i')!) sum += v as bigint;
    }
    assert.equal(rows, 200000);
    assert.equal(sum, 199999n * 200000n / 2n);
    assert.ok(count > 10, `expected many batches, got ${count}`);
  });

  it('reports bad SQL as INVALID_ARGUMENT with the engine message and keeps serving', async () => {
    await assert.rejects(client.query('SELEC nothing FROM'), (err: unknown) => {
      assert.ok(err instanceof FlightSQLError);
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.message, /syntax error/i);
      return true;
    });
    await assert.rejects(client.query('SELECT * FROM no_such_table'), /no_such_table/);
    const table = await client.query('SELECT 42 AS answer');
    assert.equal(table.get(0)!.answer, 42);
  });

  it('reports an error raised while streaming and keeps serving', async () => {
    // DuckDB ends a stream that fails mid-way like a finished one (node-api cannot tell), so the
    // failure comes from an engine that breaks after a few batches of a real result.
    const failing: QueryEngine = {
      schema: (sql, options) => engine.schema(sql, options),
      close: async () => {},
      async query(sql, options) {
        const result = await engine.query(sql, options);
        return {
          schema: result.schema,
          batches: (async function* () {
            let sent = 0;
            for await (const batch of result.batches) {
              if (sent++ === 3) throw new QueryError('internal', 'partition file vanished', sql);
              yield batch;
            }
          })(),
        };
      },
    };
    const reported: string[] = [];
    const broken = await startFlightSqlServer({
      engine: failing, host: '127.0.0.1', port: 0, onInternalError: (err, rpc) => reported.push(`${rpc}: ${(err as Error).message}`),
    });
    const brokenClient = new FlightSQLClient({ url: `grpc://127.0.0.1:${broken.port}` });
    try {
      const { batches } = await brokenClient.queryStream('SELECT i FROM range(100000) t(i)');
      let rows = 0;
      await assert.rejects((async () => {
        for await (const batch of batches) rows += batch.numRows;
      })(), (err: unknown) => err instanceof FlightSQLError && err.code === status.INTERNAL && /partition file vanished/.test(err.message));
      assert.ok(rows >= 2048 && rows <= 3 * 2048, `batches before the failure arrive (${rows} rows)`);
      assert.equal((await brokenClient.query('SELECT 8 AS x')).get(0)!.x, 8);
      await assert.rejects(brokenClient.query('SELEC'), (err: unknown) => err instanceof FlightSQLError && err.code === status.INVALID_ARGUMENT);
      assert.deepEqual(reported, ['DoGet: partition file vanished'], 'only server faults are reported, not bad SQL');
    } finally {
      brokenClient.close();
      await broken.close();
    }
  });

  it('stops the engine when a client stops reading early, and keeps serving', async () => {
    const { batches } = await client.queryStream('SELECT i FROM range(5000000) t(i)');
    for await (const batch of batches) {
      assert.ok(batch.numRows > 0);
      break;
    }
    // The cancelled call reaches the server asynchronously: wait for the engine's stream to close.
    while (engine.openStreams > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(engine.openStreams, 0);
    assert.equal((await client.query('SELECT 7 AS x')).get(0)!.x, 7);
  });

  it('sends plain strings unless preserve_dictionary is asked', async () => {
    const plain = await client.query('SELECT target FROM log_entries LIMIT 3');
    assert.ok(DataType.isUtf8(plain.schema.fields[0]!.type));
    const dictClient = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}`, preserveDictionary: true });
    try {
      const dict = await dictClient.query('SELECT target FROM log_entries ORDER BY time LIMIT 3');
      assert.ok(DataType.isDictionary(dict.schema.fields[0]!.type));
      assert.deepEqual([...column(dict, 'target')], ['target_0', 'target_1', 'target_2']);
    } finally {
      dictClient.close();
    }
  });

  it('prepares a statement, runs it with different ranges, closes it', async () => {
    const prepared = await client.prepare(
      `SELECT count(*)::INTEGER AS n FROM log_entries WHERE time >= getvariable('query_begin') AND time < getvariable('query_end')`);
    assert.deepEqual(prepared.schema.fields.map((f) => f.name), ['n']);
    const first = await prepared.query('2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z');
    const second = await prepared.query('2024-01-01T00:00:00Z', '2024-01-01T00:00:05Z');
    assert.equal(first.get(0)!.n, 60);
    assert.equal(second.get(0)!.n, 5);
    await prepared.close();
    await assert.rejects(client.prepare('SELECT FROM WHERE'), (err: unknown) => err instanceof FlightSQLError && err.code === status.INVALID_ARGUMENT);
  });

  it('answers catalog metadata commands', async () => {
    const catalogs = await client.getCatalogs();
    assert.deepEqual([...column(catalogs, 'catalog_name')], ['micromegas']);
    const schemas = await client.getDbSchemas({ catalog: 'micromegas' });
    assert.deepEqual(schemas.toArray().map((r) => r.toJSON()), [{ catalog_name: 'micromegas', db_schema_name: 'public' }]);
    assert.equal((await client.getDbSchemas({ db_schema_filter_pattern: 'x%' })).numRows, 0);
    const types = await client.getTableTypes();
    assert.deepEqual([...column(types, 'table_type')], ['TABLE']);

    const all = await client.getTables({ include_schema: true });
    assert.deepEqual([...column(all, 'table_name')], ['log_entries', 'measures']);
    const logs = deserializeSchema(all.get(0)!.table_schema as Uint8Array);
    assert.deepEqual(logs.fields.map((f) => f.name), ['time', 'level', 'target', 'msg']);
    assert.ok(DataType.isUtf8(logs.fields[2]!.type), 'dictionary columns are advertised as plain strings');

    const filtered = await client.getTables({ table_name_filter_pattern: 'log%' });
    assert.deepEqual([...column(filtered, 'table_name')], ['log_entries']);
    assert.equal(filtered.schema.fields.length, 4, 'no table_schema column unless asked');
    assert.equal((await client.getTables({ table_types: ['VIEW'] })).numRows, 0);

    const keys = await client.getPrimaryKeys('log_entries');
    assert.equal(keys.numRows, 0);
    assert.deepEqual(keys.schema.fields.map((f) => f.name), ['catalog_name', 'db_schema_name', 'table_name', 'column_name', 'key_name', 'key_sequence']);
  });

  it('refuses malformed and unknown commands without stopping', async () => {
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const getFlightInfo = (descriptor: FlightDescriptor) => new Promise<unknown>((resolve, reject) => {
      const method = flightServiceDefinition.GetFlightInfo;
      raw.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, descriptor, new Metadata(), {},
        (err, info) => (err ? reject(err) : resolve(info)));
    });
    try {
      const garbage = new Uint8Array([0x2f, 0x01]); // field 5 with wire type 7, which does not exist
      await assert.rejects(getFlightInfo({ type: DescriptorType.CMD, cmd: garbage }),
        (err: ServiceError) => err.code === status.INVALID_ARGUMENT && /malformed/.test(err.details));
      await assert.rejects(getFlightInfo({ type: DescriptorType.PATH, path: ['log_entries'] }),
        (err: ServiceError) => err.code === status.INVALID_ARGUMENT && /CMD/.test(err.details));
      const substrait = packAny('CommandStatementQuery', { query: 'SELECT 1' });
      substrait[4] = 0x58; // a type_url letter changed: no longer a command we know
      await assert.rejects(getFlightInfo({ type: DescriptorType.CMD, cmd: substrait }),
        (err: ServiceError) => err.code === status.UNIMPLEMENTED);
    } finally {
      raw.close();
    }
    assert.equal((await client.query('SELECT 9 AS x')).get(0)!.x, 9);
  });

  it('answers SqlInfo with the requested ids', async () => {
    const info = await client.getSqlInfo([0, 3, 504]);
    assert.deepEqual([...column(info, 'info_name')], [0, 3, 504]);
    assert.deepEqual(info.toArray().map((r) => r.value), ['micromegas', true, '"']);
    const everything = await client.getSqlInfo();
    assert.ok(everything.numRows >= 5);
  });
});
