import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to PGlite and a file store under ./data, ingestion on 127.0.0.1:9000 with a 100 MiB cap', () => {
    const config = loadConfig({});
    assert.equal(config.dataDir, resolve('data'));
    assert.deepEqual(config.lake.metadata, { kind: 'pglite', dataDir: resolve('data', 'pg') });
    assert.equal(config.lake.objectStoreUri, `file://${resolve('data', 'objects')}`);
    assert.deepEqual(config.ingestion, { host: '127.0.0.1', port: 9000, maxBodyBytes: 100 * 1024 * 1024, maxInFlightBytes: 256 * 1024 * 1024 });
  });

  it('reads PostgreSQL, S3 and listener settings from the environment', () => {
    const config = loadConfig({
      MICROMEGAS_DATA_DIR: '/var/lib/mm',
      MICROMEGAS_SQL_CONNECTION_STRING: 'postgres://u@db:5432/telemetry',
      MICROMEGAS_SQL_SCHEMA: 'mm',
      MICROMEGAS_OBJECT_STORE_URI: 's3://bucket/lake',
      MICROMEGAS_S3_ENDPOINT: 'http://minio:9000',
      AWS_REGION: 'eu-west-3',
      MICROMEGAS_INGESTION_HOST: '0.0.0.0',
      MICROMEGAS_INGESTION_PORT: '9100',
      MICROMEGAS_INGESTION_MAX_BODY_BYTES: '1048576',
      MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES: '8388608',
    });
    assert.deepEqual(config.lake.metadata, { kind: 'postgres', connectionString: 'postgres://u@db:5432/telemetry', schema: 'mm' });
    assert.equal(config.lake.objectStoreUri, 's3://bucket/lake');
    assert.deepEqual(config.lake.s3, { endpoint: 'http://minio:9000', region: 'eu-west-3' });
    assert.deepEqual(config.ingestion, { host: '0.0.0.0', port: 9100, maxBodyBytes: 1048576, maxInFlightBytes: 8388608 });
  });

  it('gives the query side its defaults: FlightSQL on 127.0.0.1:50051, gateway on 127.0.0.1:8000, cache under the data dir', () => {
    const config = loadConfig({ MICROMEGAS_DATA_DIR: '/var/lib/mm' });
    assert.deepEqual(config.flightsql, { host: '127.0.0.1', port: 50051 });
    assert.deepEqual(config.gateway, { host: '127.0.0.1', port: 8000 });
    assert.equal(config.lake.cacheDir, resolve('/var/lib/mm', 'cache'));
    assert.equal(config.lake.cacheMaxBytes, 1024 ** 3);
    assert.equal(config.lake.scheduledWindowMs, 2000);
    assert.deepEqual(config.query, { memoryLimit: '2GB', concurrency: 2, maxQueue: 64, timeoutMs: 300_000, rollups: true });
    assert.deepEqual(config.lake.spill, { root: resolve('/var/lib/mm', 'spill'), maxSize: undefined });
  });

  it('reads the query side from the environment', () => {
    const config = loadConfig({
      MICROMEGAS_FLIGHTSQL_HOST: '127.0.0.1',
      MICROMEGAS_FLIGHTSQL_PORT: '0',
      MICROMEGAS_GATEWAY_HOST: '0.0.0.0',
      MICROMEGAS_GATEWAY_PORT: '8080',
      MICROMEGAS_LAKE_CACHE_DIR: '/tmp/mm-cache',
      MICROMEGAS_LAKE_CACHE_BYTES: '268435456',
      MICROMEGAS_LAKE_SCHEDULED_WINDOW_MS: '0',
      MICROMEGAS_QUERY_MEMORY_LIMIT: '512MiB',
      MICROMEGAS_SPILL_MAX_SIZE: '20GB',
      MICROMEGAS_QUERY_CONCURRENCY: '3',
      MICROMEGAS_QUERY_QUEUE: '0',
      MICROMEGAS_QUERY_TIMEOUT_SECONDS: '30',
      MICROMEGAS_QUERY_ROLLUPS: 'false',
    });
    assert.deepEqual(config.flightsql, { host: '127.0.0.1', port: 0 });
    assert.deepEqual(config.gateway, { host: '0.0.0.0', port: 8080 });
    assert.equal(config.lake.cacheDir, '/tmp/mm-cache');
    assert.equal(config.lake.cacheMaxBytes, 268435456);
    assert.equal(config.lake.scheduledWindowMs, 0);
    assert.deepEqual(config.query, { memoryLimit: '512MiB', concurrency: 3, maxQueue: 0, timeoutMs: 30_000, rollups: false });
    assert.equal(config.lake.spill.maxSize, '20GB');
  });

  it('names the variable and what it expects for a bad value', () => {
    const bad: Record<string, string> = {
      MICROMEGAS_INGESTION_PORT: '99999',
      MICROMEGAS_INGESTION_MAX_BODY_BYTES: '10MB',
      MICROMEGAS_SQL_CONNECTION_STRING: 'mysql://x',
      MICROMEGAS_OBJECT_STORE_URI: 'gs://bucket',
      MICROMEGAS_S3_FORCE_PATH_STYLE: 'maybe',
      MICROMEGAS_LOG_LEVEL: 'loud',
      MICROMEGAS_FLIGHTSQL_PORT: '-1',
      MICROMEGAS_GATEWAY_PORT: 'http',
      MICROMEGAS_LAKE_CACHE_BYTES: '1GB',
      MICROMEGAS_LAKE_SCHEDULED_WINDOW_MS: '-1',
      MICROMEGAS_QUERY_MEMORY_LIMIT: 'lots',
      MICROMEGAS_SELF_TELEMETRY_URL: 'grpc://127.0.0.1:50051',
      MICROMEGAS_ADMIN_KEY: 'short',
      MICROMEGAS_API_KEY_CACHE_SECONDS: '1h',
      MICROMEGAS_TLS_CERT_FILE: '/nonexistent/cert.pem',
    };
    for (const [name, value] of Object.entries(bad)) {
      assert.throws(() => loadConfig({ [name]: value }), (err: unknown) =>
        err instanceof ConfigError && err.variable === name && err.message.startsWith(`${name}=`), name);
    }
  });

  it('sends the backend\'s own telemetry to its own ingestion by default, to a URL, or nowhere', () => {
    assert.deepEqual(loadConfig({}).selfTelemetry, { kind: 'own-ingestion' });
    assert.deepEqual(loadConfig({ MICROMEGAS_SELF_TELEMETRY_URL: 'https://telemetry.example:9443' }).selfTelemetry,
      { kind: 'url', url: 'https://telemetry.example:9443' });
    assert.deepEqual(loadConfig({ MICROMEGAS_SELF_TELEMETRY_URL: 'off' }).selfTelemetry, { kind: 'off' });
    for (const value of ['127.0.0.1:9000', 'ftp://host/', 'no']) {
      assert.throws(() => loadConfig({ MICROMEGAS_SELF_TELEMETRY_URL: value }), (err: unknown) =>
        err instanceof ConfigError && err.variable === 'MICROMEGAS_SELF_TELEMETRY_URL' && err.message.includes('http(s) URL or off'), value);
    }
  });

  it('keeps no key by default; reads the admin key and the key cache time, never printing the key in an error', () => {
    assert.deepEqual(loadConfig({}).auth, { adminKey: undefined, cacheTtlMs: 5000 });
    const key = 'mmk_a-long-enough-admin-key-0123456789';
    assert.deepEqual(loadConfig({ MICROMEGAS_ADMIN_KEY: key, MICROMEGAS_API_KEY_CACHE_SECONDS: '1' }).auth, { adminKey: key, cacheTtlMs: 1000 });
    assert.throws(() => loadConfig({ MICROMEGAS_ADMIN_KEY: 'guessable admin' }), (err: unknown) =>
      err instanceof ConfigError && /at least 24 characters/.test(err.message) && !err.message.includes('guessable'));
  });

  it('serves TLS with both PEM files, refuses one without the other', () => {
    assert.equal(loadConfig({}).tls, undefined);
    const pem = new URL(import.meta.url).pathname; // any readable file: the files are read here, parsed by the servers
    assert.deepEqual(loadConfig({ MICROMEGAS_TLS_CERT_FILE: pem, MICROMEGAS_TLS_KEY_FILE: pem }).tls, { cert: readFileSync(pem), key: readFileSync(pem) });
    assert.throws(() => loadConfig({ MICROMEGAS_TLS_CERT_FILE: pem }), (err: unknown) =>
      err instanceof ConfigError && err.variable === 'MICROMEGAS_TLS_KEY_FILE' && /both the certificate and its private key/.test(err.message));
  });
});
