// TLS by configuration (MICROMEGAS_TLS_CERT_FILE / MICROMEGAS_TLS_KEY_FILE) on every listener of a
// running backend, with a self-signed certificate made in the test: clients that trust it get in
// (with their key), plaintext and untrusting clients do not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';
import { cbor, sampleProcess } from './ingestion-fixtures.js';
import { selfSignedCertificate, type TestCertificate } from './tls-fixtures.js';

const ADMIN_KEY = 'mmk_test-tls-admin-key-0123456789abcdef';

/** POSTs over HTTPS trusting `ca` (or the system's roots); resolves to the status, rejects on a TLS failure. */
function httpsPost(url: string, body: Uint8Array | string, headers: Record<string, string>, ca?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: 'POST', headers, ...(ca ? { ca } : {}) }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('TLS on every listener', () => {
  let dataDir: string;
  let certificate: TestCertificate;
  let services: Services;
  const urlOf = (name: string) => services.running.find((r) => r.name === name)!.url;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mm-auth-tls-'));
    certificate = await selfSignedCertificate();
    const config = loadConfig({
      MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent', MICROMEGAS_ADMIN_KEY: ADMIN_KEY,
      MICROMEGAS_INGESTION_HOST: 'localhost', MICROMEGAS_FLIGHTSQL_HOST: 'localhost', MICROMEGAS_GATEWAY_HOST: 'localhost',
      MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0',
      MICROMEGAS_TLS_CERT_FILE: certificate.certFile, MICROMEGAS_TLS_KEY_FILE: certificate.keyFile,
    });
    services = await startServices(config, ['ingestion', 'flightsql', 'gateway']);
  });

  after(async () => {
    await services.stop();
    await certificate.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('announces https and grpc+tls addresses', () => {
    assert.deepEqual(services.running.map((r) => r.url.replace(/:\d+$/, '')), ['https://localhost', 'grpc+tls://localhost', 'https://localhost']);
  });

  it('ingestion and the gateway answer over HTTPS a client that trusts the certificate, and refuse plaintext', async () => {
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    const ingested = await httpsPost(`${urlOf('ingestion')}/ingestion/insert_process`, cbor(sampleProcess()), { ...auth, 'content-type': 'application/cbor' }, certificate.cert);
    assert.equal(ingested.status, 200, ingested.text);
    const queried = await httpsPost(`${urlOf('gateway')}/api/query`, JSON.stringify({ sql: 'SELECT count(*) AS n FROM processes' }), { ...auth, 'content-type': 'application/json' }, certificate.cert);
    assert.deepEqual([queried.status, JSON.parse(queried.text)], [200, [{ n: 1 }]]);
    // without the key, TLS alone is not enough
    assert.equal((await httpsPost(`${urlOf('gateway')}/api/query`, '{"sql":"SELECT 1"}', { 'content-type': 'application/json' }, certificate.cert)).status, 401);
    await assert.rejects(httpsPost(`${urlOf('gateway')}/api/query`, '{}', {}), /self-signed certificate/);
    await assert.rejects(fetch(`${urlOf('gateway').replace('https:', 'http:')}/api/query`, { method: 'POST', body: '{}' }));
  });

  it('FlightSQL answers a grpc+tls client that trusts the certificate, and refuses plaintext and untrusting clients', async () => {
    const url = urlOf('flightsql');
    const trusted = new FlightSQLClient({ url, token: ADMIN_KEY, tls: { rootCerts: certificate.cert } });
    try {
      assert.equal((await trusted.query(`SELECT 'secure' AS s`)).get(0)!.s, 'secure');
    } finally {
      trusted.close();
    }
    for (const client of [new FlightSQLClient({ url, token: ADMIN_KEY }), new FlightSQLClient({ url: url.replace('grpc+tls:', 'grpc:'), token: ADMIN_KEY })]) {
      try {
        await assert.rejects(client.query('SELECT 1'), (err: unknown) => err instanceof FlightSQLError && err.code === status.UNAVAILABLE);
      } finally {
        client.close();
      }
    }
  });
});
