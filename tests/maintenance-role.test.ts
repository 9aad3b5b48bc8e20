/**
 * The maintenance role as `micromegas start --roles maintenance` runs it: it starts, leads (first
 * tick at once), materializes, and on stop finishes its tick and hands leadership back.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@micromegas/backend/config';
import { startServices } from '@micromegas/backend/service/services';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { TelemetryWriter } from './lakehouse-fixtures.js';

const pglite = testMetadataBackends.find((b) => b.name === 'pglite')!;
const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;

describe('maintenance role', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let dataDir: string;
  before(async () => {
    [db, os] = await Promise.all([pglite.open(), fileBackend.open()]);
    dataDir = await mkdtemp(join(tmpdir(), 'mm-maintenance-role-'));
  });
  after(async () => {
    await Promise.all([db.drop(), os.drop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs a first tick as leader and releases leadership when stopped', async () => {
    // A process inserted 1.5 h ago lies in the window of the first hour tick, whatever the time now.
    const p = await new TelemetryWriter(db.store, os.store).process();
    await db.store.query('UPDATE processes SET insert_time = $1 WHERE process_id = $2', [new Date(Date.now() - 5_400_000), p.process_id]);
    const config = loadConfig({ MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent' });
    const services = await startServices(config, ['maintenance'], { metadata: db.store, objects: os.store });
    assert.deepEqual(services.running.map((r) => r.name), ['maintenance']);
    await services.stop();
    // The first tick ran to completion before the stop: the process is in the processes view.
    const [row] = await db.store.query<{ n: number }>(
      "SELECT sum(num_rows)::int AS n FROM lakehouse_partitions WHERE view_set_name = 'processes' AND view_instance_id = 'global'");
    assert.equal(row?.n, 1);
    // Leadership was handed back: another instance leads at once.
    assert.equal(await new LeaseElection(db.store).lead(new Date()), true);
  });
});
