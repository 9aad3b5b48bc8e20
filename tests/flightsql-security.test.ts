// API keys (as bearer tokens) and TLS between the FlightSQL server and clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { Authenticator } from '@micromegas/backend/auth/authenticator';
import { DuckDbTestEngine } from './flightsql-test-engine.js';
import { selfSignedCertificate, type TestCertificate } from './tls-fixtures.js';

let engine: DuckDbTestEngine;

before(async () => {
  engine = await DuckDbTestEngine.create();
});

after(async () => {
  await engine.close();
});

describe('FlightSQL bearer tokens', () => {
  let server: FlightSqlServer;
  before(async () => {
    const authenticator = new Authenticator({ required: true, processKeys: [{ key: 's3cret', name: 'test', role: 'query' }], cacheTtlMs: 0 });
    server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0, authenticator });
  });
  after(() => server.close());

  it('refuses calls without a valid token with UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'wrong']) {
      const client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}`, ...(token ? { token } : {}) });
      try {
        await assert.rejects(client.query('SELECT 1'), (err: unknown) => err instanceof FlightSQLError && err.code === status.UNAUTHENTICATED);
      } finally {
        client.close();
      }
    }
    const rust = await createFlightSqlClient({ host: '127.0.0.1', port: server.port, tls: false, headers: [] });
    await assert.rejects(rust.query('SELECT 1'));
  });

  it('serves our client and the Rust client when they send the token', async () => {
    const client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}`, token: 's3cret' });
    try {
      assert.equal((await client.query('SELECT 5 AS five')).get(0)!.five, 5);
      assert.deepEqual((await client.getSchema('SELECT 5 AS five, 1.5 AS x')).fields.map((f) => f.name), ['five', 'x']);
    } finally {
      client.close();
    }
    const rust = await createFlightSqlClient({ host: '127.0.0.1', port: server.port, tls: false, token: 's3cret', headers: [] });
    assert.equal(tableFromIPC(await rust.query('SELECT 6 AS six')).get(0)!.six, 6);
  });
});

describe('FlightSQL over TLS', () => {
  let certificate: TestCertificate;
  let server: FlightSqlServer;
  before(async () => {
    certificate = await selfSignedCertificate();
    server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0, tls: { key: certificate.key, cert: certificate.cert } });
  });
  after(async () => {
    await server.close();
    await certificate.remove();
  });

  it('answers a client that trusts the certificate', async () => {
    const client = new FlightSQLClient({ url: `grpc+tls://localhost:${server.port}`, tls: { rootCerts: certificate.cert } });
    try {
      assert.equal((await client.query(`SELECT 'secure' AS s`)).get(0)!.s, 'secure');
    } finally {
      client.close();
    }
  });

  it('is refused by a client that does not trust it, and by a plaintext client', async () => {
    for (const url of [`grpc+tls://localhost:${server.port}`, `grpc://127.0.0.1:${server.port}`]) {
      const client = new FlightSQLClient({ url });
      try {
        await assert.rejects(client.query('SELECT 1'), (err: unknown) => err instanceof FlightSQLError && err.code === status.UNAVAILABLE);
      } finally {
        client.close();
      }
    }
  });
});
