// Query clients never learn where the server keeps its files: settings that name paths are not
// readable, and failures that name a file reach the client without the path.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';

describe('server paths are hidden from query clients', () => {
  let fixture: Fixture;
  let server: FlightSqlServer;
  let client: FlightSQLClient;

  before(async () => {
    fixture = await openFixture({ spill: { root: join(tmpdir(), 'mm-server-paths-spill') } });
    server = await startFlightSqlServer({ engine: fixture.engine, host: '127.0.0.1', port: 0 });
    client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
  });
  after(async () => {
    client.close();
    await server.close();
    await fixture.close();
  });

  const refused = (code: status, hidden: string[]) => (err: unknown) => {
    assert.ok(err instanceof FlightSQLError, String(err));
    assert.equal(err.code, code, err.message);
    for (const path of hidden) assert.ok(!err.message.includes(path), `message names ${path}: ${err.message}`);
    return true;
  };

  it('refuses current_setting() of path settings (of any setting not known to be harmless), and duckdb_settings()', async () => {
    for (const sql of [
      "SELECT current_setting('allowed_directories') AS x",
      "SELECT current_setting('temp_directory') AS x",
      "SELECT current_setting('home_directory') AS x",
      "SELECT current_setting(lower('ALLOWED_DIRECTORIES')) AS x",
      "SELECT list_transform(['temp_directory'], s -> current_setting(s)) AS x",
      'SELECT * FROM (SELECT pg_catalog.current_setting(\'allowed_directories\') AS x)',
      'SELECT name, value FROM duckdb_settings()',
      'DESCRIBE SELECT current_setting(\'allowed_directories\') AS x',
    ]) {
      await assert.rejects(client.query(sql), refused(status.PERMISSION_DENIED, [fixture.dir, process.cwd()]), sql);
    }
    await assert.rejects(client.query("SELECT current_setting('allowed_directories') AS x"), /current_setting\('allowed_directories'\) is not allowed/);
    assert.equal((await client.query("SELECT current_setting('TimeZone') AS tz")).get(0)!.tz, 'UTC');
  });

  it('cuts file paths out of error messages', async () => {
    const [partition] = await fixture.catalog.partitionsFor('log_entries', 'p1', {});
    await rm(partition!.path);
    await assert.rejects(client.query("SELECT count(*) AS n FROM view_instance('log_entries', 'p1')"), (err: unknown) => {
      refused(status.INTERNAL, [fixture.dir, partition!.path])(err);
      assert.match((err as Error).message, /<server path>/);
      return true;
    });
  });
});
