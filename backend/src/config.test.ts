import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to PGlite and a file store under ./data, ingestion on 127.0.0.1:9000 with a 100 MiB cap', () => {
    const config = loadConfig({});
    assert.equal(config.dataDir, resolve('data'));
    assert.deepEqual(config.lake.metadata, { kind: 'pglite', dataDir: resolve('data', 'pg') });
    assert.equal(config.lake.objectStoreUri, `file://${resolve('data', 'objects')}`);
    assert.deepEqual(config.ingestion, { host: '127.0.0.1', port: 9000, maxBodyBytes: 100 * 1024 * 1024 });
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
    });
    assert.deepEqual(config.lake.metadata, { kind: 'postgres', connectionString: 'postgres://u@db:5432/telemetry', schema: 'mm' });
    assert.equal(config.lake.objectStoreUri, 's3://bucket/lake');
    assert.deepEqual(config.lake.s3, { endpoint: 'http://minio:9000', region: 'eu-west-3' });
    assert.deepEqual(config.ingestion, { host: '0.0.0.0', port: 9100, maxBodyBytes: 1048576 });
  });

  it('names the variable and what it expects for a bad value', () => {
    const bad: Record<string, string> = {
      MICROMEGAS_INGESTION_PORT: '99999',
      MICROMEGAS_INGESTION_MAX_BODY_BYTES: '10MB',
      MICROMEGAS_SQL_CONNECTION_STRING: 'mysql://x',
      MICROMEGAS_OBJECT_STORE_URI: 'gs://bucket',
      MICROMEGAS_S3_FORCE_PATH_STYLE: 'maybe',
      MICROMEGAS_LOG_LEVEL: 'loud',
    };
    for (const [name, value] of Object.entries(bad)) {
      assert.throws(() => loadConfig({ [name]: value }), (err: unknown) =>
        err instanceof ConfigError && err.variable === name && err.message.startsWith(`${name}=`), name);
    }
  });
});
