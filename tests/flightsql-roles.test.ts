// The flightsql and gateway roles in a running service: telemetry posted to ingestion is queryable
// over FlightSQL and over the HTTP gateway (shared engine), and stopping the services closes them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';
import { cbor, post, sampleProcess } from './ingestion-fixtures.js';

let dataDir: string;
let services: Services;
const urlOf = (name: string) => services.running.find((r) => r.name === name)!.url;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mm-flightsql-roles-'));
  const config = loadConfig({
    MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent', MICROMEGAS_INGESTION_PORT: '0',
    MICROMEGAS_FLIGHTSQL_HOST: '127.0.0.1', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0',
  });
  services = await startServices(config, ['ingestion', 'flightsql', 'gateway']);
});

after(async () => {
  await services.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('flightsql and gateway roles', () => {
  it('serve what ingestion stored', async () => {
    const process_ = sampleProcess();
    assert.equal((await post(urlOf('ingestion'), 'insert_process', cbor(process_))).status, 200);

    const client = new FlightSQLClient({ url: urlOf('flightsql') });
    try {
      const table = await client.query('SELECT process_id, exe FROM processes');
      assert.deepEqual(table.toArray().map((r) => r.toJSON()), [{ process_id: process_.process_id, exe: process_.exe }]);
      const tables = await client.getTables();
      assert.ok(tables.toArray().some((r) => r.table_name === 'log_entries'));
    } finally {
      client.close();
    }

    const response = await fetch(`${urlOf('gateway')}/api/query`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT process_id FROM processes' }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), [{ process_id: process_.process_id }]);
  });
});
