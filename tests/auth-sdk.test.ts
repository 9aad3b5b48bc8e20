// The SDK sends its API key (init option or MICROMEGAS_API_KEY) to an ingestion service that
// requires keys; with a wrong key its data stays queued and retried (a 401 is the operator's to fix),
// never dropped as a bad request would be.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tracing from '@micromegas/tracing';
import { loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';
import { ApiKeyStore } from '@micromegas/backend/auth/key-store';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';

const pglite = testMetadataBackends.find((b) => b.name === 'pglite')!;
const file = testObjectBackends.find((b) => b.name === 'file')!;

describe('the SDK against ingestion with keys', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let services: Services;
  let url: string;
  let ingestKey: string;

  before(async () => {
    [db, os] = await Promise.all([pglite.open(), file.open()]);
    ingestKey = (await new ApiKeyStore(db.store).create('ingest', 'sdk')).key;
    const config = loadConfig({ MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent' });
    services = await startServices(config, ['ingestion'], { metadata: db.store, objects: os.store });
    url = services.running[0]!.url;
  });

  after(async () => {
    await services.stop();
    await Promise.all([db.drop(), os.drop()]);
  });

  const processCount = async (id: string) => (await db.store.query('SELECT 1 FROM processes WHERE process_id = $1', [id])).length;

  it('with a wrong key, keeps its data queued and retries instead of dropping it', async () => {
    tracing.init({ url, apiKey: 'mmk_not-a-key', flushPeriodMs: 20 });
    const id = tracing.processId()!;
    tracing.info('auth', 'refused');
    while ((tracing.sinkStats()?.failures ?? 0) < 3) await sleep(20);
    const stats = tracing.sinkStats()!;
    assert.equal(stats.rejected, 0, 'nothing dropped as a bad request');
    assert.equal(stats.sent, 0);
    assert.ok(stats.queuedItems > 0, 'still queued');
    assert.equal(await tracing.shutdown(200), false);
    assert.equal(await processCount(id), 0);
  });

  it('sends the key of its init options', async () => {
    tracing.init({ url, apiKey: ingestKey, flushPeriodMs: 20 });
    const id = tracing.processId()!;
    tracing.info('auth', 'accepted');
    assert.equal(await tracing.shutdown(10_000), true);
    assert.equal(await processCount(id), 1);
  });

  it('sends MICROMEGAS_API_KEY when init names none', async () => {
    process.env['MICROMEGAS_API_KEY'] = ingestKey;
    try {
      tracing.init({ url, flushPeriodMs: 20 });
    } finally {
      delete process.env['MICROMEGAS_API_KEY'];
    }
    const id = tracing.processId()!;
    tracing.info('auth', 'accepted from the environment');
    assert.equal(await tracing.shutdown(10_000), true);
    assert.equal(await processCount(id), 1);
  });
});
