// API keys on every surface of a running backend (ingestion HTTP, FlightSQL, the HTTP gateway), on
// PostgreSQL and PGlite: no key, a wrong key, a key of the wrong role, a revoked key, the admin
// functions; and without any key: open on loopback, refused beyond it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { ConfigError, loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';
import { ApiKeyStore } from '@micromegas/backend/auth/key-store';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { cbor, sampleProcess } from './ingestion-fixtures.js';

const ENV_ADMIN_KEY = 'mmk_test-bootstrap-admin-key-0123456789';
const RETIRE = "SELECT * FROM retire_partitions('log_entries', 'global', '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z')";
const MATERIALIZE = "SELECT * FROM materialize_partitions('log_entries', '2020-01-01T00:00:00Z', '2020-01-01T00:01:00Z', 60)";

const listenEnv = (dataDir: string): Record<string, string> => ({
  MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent',
  MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0',
});

const bearer = (key: string | undefined): Record<string, string> => (key === undefined ? {} : { authorization: `Bearer ${key}` });

/** A running backend's three surfaces, called with a given key. */
function surfaces(services: Services) {
  const urlOf = (name: string) => services.running.find((r) => r.name === name)!.url;
  return {
    async ingest(key: string | undefined): Promise<{ status: number; body: unknown; challenge: string | null }> {
      const response = await fetch(`${urlOf('ingestion')}/ingestion/insert_process`, {
        method: 'POST', headers: { 'content-type': 'application/cbor', ...bearer(key) }, body: cbor(sampleProcess()),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text), challenge: response.headers.get('www-authenticate') };
    },
    async gateway(key: string | undefined, sql = 'SELECT 1 AS one'): Promise<{ status: number; body: unknown }> {
      const response = await fetch(`${urlOf('gateway')}/api/query`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...bearer(key) }, body: JSON.stringify({ sql }),
      });
      return { status: response.status, body: await response.json() };
    },
    /** Rows as JSON, or the FlightSQL error. */
    async flightsql(key: string | undefined, sql = 'SELECT 1 AS one'): Promise<unknown[] | FlightSQLError> {
      const client = new FlightSQLClient({ url: urlOf('flightsql'), ...(key === undefined ? {} : { token: key }) });
      try {
        return (await client.query(sql)).toArray().map((row) => row.toJSON());
      } catch (err) {
        if (err instanceof FlightSQLError) return err;
        throw err;
      } finally {
        client.close();
      }
    },
    flightsqlPort: () => Number(new URL(urlOf('flightsql')).port),
  };
}

const grpcError = (code: status, message: RegExp) => (result: unknown) =>
  result instanceof FlightSQLError && result.code === code && message.test(result.message);

for (const backend of testMetadataBackends) {
  describe(`API keys on every surface (${backend.name})`, () => {
    let dataDir: string;
    let db: TestMetadataStore;
    let store: ApiKeyStore;
    let services: Services;
    let call: ReturnType<typeof surfaces>;
    const keys: Record<'ingest' | 'query' | 'admin' | 'revoked', string> = { ingest: '', query: '', admin: '', revoked: '' };

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'mm-auth-surfaces-'));
      db = await backend.open();
      store = new ApiKeyStore(db.store);
      keys.ingest = (await store.create('ingest', 'game')).key;
      keys.query = (await store.create('query', 'grafana')).key;
      keys.admin = (await store.create('admin', 'ops')).key;
      keys.revoked = (await store.create('query', 'leaked')).key;
      const config = loadConfig({ ...listenEnv(dataDir), MICROMEGAS_ADMIN_KEY: ENV_ADMIN_KEY, MICROMEGAS_API_KEY_CACHE_SECONDS: '1' });
      services = await startServices(config, ['ingestion', 'flightsql', 'gateway'], { metadata: db.store });
      call = surfaces(services);
    });

    after(async () => {
      await services.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('ingestion: 401 without a key or with a wrong one, 403 with a query key, 200 with an ingest or admin key; probes stay open', async () => {
      const missing = await call.ingest(undefined);
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.body, { error: 'unauthenticated', message: "missing API key: send the header 'authorization: Bearer <key>' with a key of the ingest role" });
      assert.equal(missing.challenge, 'Bearer realm="micromegas"');
      assert.deepEqual((await call.ingest('mmk_wrong')).body, { error: 'unauthenticated', message: 'invalid API key: unknown or revoked' });
      const wrongRole = await call.ingest(keys.query);
      assert.equal(wrongRole.status, 403);
      assert.deepEqual(wrongRole.body, { error: 'permission_denied', message: "API key 'grafana' has the query role; this needs ingest (or admin)" });
      for (const key of [keys.ingest, keys.admin, ENV_ADMIN_KEY]) assert.equal((await call.ingest(key)).status, 200);
      const ingestion = services.running.find((r) => r.name === 'ingestion')!.url;
      assert.equal((await fetch(`${ingestion}/health`)).status, 200);
      assert.equal((await fetch(`${ingestion}/ready`)).status, 200);
    });

    it('FlightSQL: UNAUTHENTICATED without a key or with a wrong one, PERMISSION_DENIED with an ingest key; query and admin keys query', async () => {
      assert.ok(grpcError(status.UNAUTHENTICATED, /missing API key/)(await call.flightsql(undefined)));
      assert.ok(grpcError(status.UNAUTHENTICATED, /invalid API key: unknown or revoked/)(await call.flightsql('mmk_wrong')));
      assert.ok(grpcError(status.PERMISSION_DENIED, /'game' has the ingest role; this needs query/)(await call.flightsql(keys.ingest)));
      for (const key of [keys.query, keys.admin, ENV_ADMIN_KEY]) assert.deepEqual(await call.flightsql(key), [{ one: 1 }]);
      // the Rust client (what many tools embed) too
      const port = call.flightsqlPort();
      const anonymous = await createFlightSqlClient({ host: '127.0.0.1', port, tls: false, headers: [] });
      await assert.rejects(anonymous.query('SELECT 1')); // its message hides the server's
      const rust = await createFlightSqlClient({ host: '127.0.0.1', port, tls: false, token: keys.query, headers: [] });
      assert.equal(tableFromIPC(await rust.query('SELECT 6 AS six')).get(0)!.six, 6);
    });

    it('gateway: 401 without a key or with a wrong one, 403 with an ingest key, rows with a query key', async () => {
      assert.deepEqual(await call.gateway(undefined), { status: 401, body: { error: 'unauthenticated', message: "missing API key: send the header 'authorization: Bearer <key>' with a key of the query role" } });
      assert.equal((await call.gateway('mmk_wrong')).status, 401);
      assert.deepEqual((await call.gateway(keys.ingest)).status, 403);
      assert.deepEqual(await call.gateway(keys.query), { status: 200, body: [{ one: 1 }] });
    });

    it('admin functions run for the admin role only: PERMISSION_DENIED on FlightSQL, 403 on the gateway, for a query key', async () => {
      for (const sql of [RETIRE, MATERIALIZE]) {
        assert.ok(grpcError(status.PERMISSION_DENIED, /is an admin function: it needs an API key with the admin role/)(await call.flightsql(keys.query, sql)), sql);
        const denied = await call.gateway(keys.query, sql);
        assert.equal(denied.status, 403, sql);
        assert.deepEqual(denied.body, { error: 'permission_denied', message: `${sql.match(/FROM (\w+)/)![1]}() is an admin function: it needs an API key with the admin role` });
      }
      // planning (GetSchema) and prepared statements are refused the same way
      const client = new FlightSQLClient({ url: services.running.find((r) => r.name === 'flightsql')!.url, token: keys.query });
      try {
        await assert.rejects(client.getSchema(RETIRE), (err) => grpcError(status.PERMISSION_DENIED, /admin function/)(err));
        await assert.rejects(client.prepare(RETIRE), (err) => grpcError(status.PERMISSION_DENIED, /admin function/)(err));
      } finally {
        client.close();
      }
      // the same engine runs them for an admin key, per query
      assert.deepEqual(await call.flightsql(keys.admin, RETIRE), [{ partitions_retired: 0n }]);
      assert.equal((await call.gateway(ENV_ADMIN_KEY, MATERIALIZE)).status, 200);
      assert.ok(grpcError(status.PERMISSION_DENIED, /admin function/)(await call.flightsql(keys.query, RETIRE)), 'still refused after an admin ran it');
    });

    it('a revoked key is refused everywhere once the key cache expires', async () => {
      assert.deepEqual(await call.flightsql(keys.revoked), [{ one: 1 }]);
      assert.equal((await store.revoke('leaked'))?.name, 'leaked');
      const deadline = Date.now() + 30_000; // the cache lasts 1 s; the bound only keeps a broken build from hanging
      let refused = false;
      while (!refused && Date.now() < deadline) {
        refused = (await call.gateway(keys.revoked)).status === 401;
        if (!refused) await sleep(100);
      }
      assert.ok(refused, 'the gateway refuses the revoked key');
      assert.ok(grpcError(status.UNAUTHENTICATED, /unknown or revoked/)(await call.flightsql(keys.revoked)));
      assert.deepEqual(await call.flightsql(keys.query), [{ one: 1 }], 'other keys still work');
    });
  });
}

describe('without any API key', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mm-auth-open-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('serves every surface on loopback to anyone, admin functions included; a key sent is ignored', async () => {
    const services = await startServices(loadConfig(listenEnv(dataDir)), ['ingestion', 'flightsql', 'gateway']);
    try {
      assert.equal((await services.auth()).required, false);
      for (const role of services.running) assert.equal(new URL(role.url).hostname, '127.0.0.1', role.name);
      const call = surfaces(services);
      assert.equal((await call.ingest(undefined)).status, 200);
      assert.deepEqual(await call.flightsql('mmk_anything', RETIRE), [{ partitions_retired: 0n }]);
      assert.equal((await call.gateway(undefined, MATERIALIZE)).status, 200);
    } finally {
      await services.stop();
    }
  });

  it('refuses to listen beyond loopback, naming the variable', async () => {
    for (const [variable, roles] of [['MICROMEGAS_FLIGHTSQL_HOST', ['flightsql']], ['MICROMEGAS_INGESTION_HOST', ['ingestion']], ['MICROMEGAS_GATEWAY_HOST', ['gateway']]] as const) {
      await assert.rejects(startServices(loadConfig({ ...listenEnv(dataDir), [variable]: '0.0.0.0' }), roles),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && /no API key is configured/.test(err.message));
    }
  });
});
