/**
 * OTLP behind the ingestion role's API keys: an OTel exporter sending an ingest key (its `headers`,
 * as OTEL_EXPORTER_OTLP_HEADERS sets them) is stored; no key, a wrong one or one of another role is
 * refused with OTLP's answer, a google.rpc.Status (UNAUTHENTICATED, PERMISSION_DENIED) in the
 * request's encoding, and nothing is stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ApiKeyStore } from '@micromegas/backend/auth/key-store';
import { statusType } from '@micromegas/backend/lake/otlp/schema';
import { loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { count } from './ingestion-fixtures.js';
import { RecordingSpanExporter } from './otlp-fixtures.js';

async function exportSpan(url: string, headers: Record<string, string>): Promise<ExportResult[]> {
  const exporter = new RecordingSpanExporter(new OTLPTraceExporter({ url: `${url}/v1/traces`, headers }));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-auth' }), spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  provider.getTracer('otlp.auth').startSpan('guarded').end();
  await provider.shutdown();
  return exporter.results;
}

describe('OTLP/HTTP with API keys', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let services: Services;
  let url: string;
  let ingestKey: string;
  let queryKey: string;

  before(async () => {
    [db, os] = await Promise.all([testMetadataBackends.find((b) => b.name === 'pglite')!.open(), testObjectBackends.find((b) => b.name === 'file')!.open()]);
    // Keys in the database: authentication is on.
    const keys = new ApiKeyStore(db.store);
    ingestKey = (await keys.create('ingest', 'otel exporter')).key;
    queryKey = (await keys.create('query', 'grafana')).key;
    services = await startServices(loadConfig({ MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent' }), ['ingestion'], { metadata: db.store, objects: os.store });
    url = services.running[0]!.url;
  });
  after(async () => {
    await services?.stop();
    await Promise.all([db?.drop(), os?.drop()]);
  });

  it('stores what an exporter sends with an ingest key in its headers', async () => {
    const results = await exportSpan(url, { Authorization: `Bearer ${ingestKey}` });
    assert.deepEqual(results.map((r) => r.code), [ExportResultCode.SUCCESS]);
    assert.equal(await count(db, 'blocks'), 1);
  });

  it('refuses no key, a wrong key and a key of another role with a google.rpc.Status, storing nothing', async () => {
    const refused = await exportSpan(url, { Authorization: 'Bearer mmk_wrong' });
    assert.deepEqual(refused.map((r) => r.code), [ExportResultCode.FAILED]);
    const body = Buffer.from('{}');
    for (const [authorization, status, code, type] of [
      [undefined, 401, 16, 'application/x-protobuf'],
      ['Bearer mmk_wrong', 401, 16, 'application/json'],
      [`Bearer ${queryKey}`, 403, 7, 'application/json'],
    ] as const) {
      const response = await fetch(`${url}/v1/traces`, {
        method: 'POST', body, headers: { 'content-type': type, ...(authorization ? { authorization } : {}) },
      });
      assert.equal(response.status, status);
      assert.equal(response.headers.get('content-type'), type);
      const bytes = Buffer.from(await response.arrayBuffer());
      const decoded = type === 'application/json' ? JSON.parse(bytes.toString()) : statusType.toObject(statusType.decode(bytes));
      assert.equal(decoded.code, code);
      assert.equal(typeof decoded.message, 'string');
      assert.ok(decoded.message.length > 0);
    }
    assert.equal(await count(db, 'blocks'), 1);
  });
});
