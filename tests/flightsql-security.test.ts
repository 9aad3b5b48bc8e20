// Bearer-token authentication and TLS between the FlightSQL server and clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { DuckDbTestEngine } from './flightsql-test-engine.js';

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
    server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0, bearerTokens: ['s3cret'] });
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
  let dir: string;
  let cert: Buffer;
  let server: FlightSqlServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm-flightsql-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    server = await startFlightSqlServer({
      engine, host: '127.0.0.1', port: 0, tls: { key: readFileSync(join(dir, 'key.pem')), cert },
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a client that trusts the certificate', async () => {
    const client = new FlightSQLClient({ url: `grpc+tls://localhost:${server.port}`, tls: { rootCerts: cert } });
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
