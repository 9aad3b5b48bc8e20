/**
 * API keys from the command line: `micromegas keys create|list|revoke` on the embedded database,
 * `micromegas start` requiring them (and saying so), `micromegas query` sending one, the backend's
 * own telemetry still reaching its own ingestion; and without keys, a start that stays on loopback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startCli } from './cli-process.js';

/** How long the backend may take to deliver and ingest its own first telemetry on a busy machine. */
const WAIT_MS = 60_000;

async function gatewayRows(gateway: string, key: string | undefined, sql: string): Promise<{ status: number; rows: unknown }> {
  const response = await fetch(`${gateway}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ sql }),
  });
  return { status: response.status, rows: await response.json() };
}

describe('micromegas keys and start with keys', () => {
  let dataDir: string;
  const env = () => ({ MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent' });
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mm-auth-cli-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('creates keys shown once, lists them without secrets, refuses bad arguments', async () => {
    const admin = await runCli(['keys', 'create', '--role', 'admin', '--name', 'ops'], env());
    assert.deepEqual(admin.exit, [0, null], admin.stderr);
    assert.match(admin.stdout, /^mmk_[\w-]{43}\n$/);
    assert.match(admin.stderr, /created 'ops' \(admin, id [0-9a-f-]{36}\)\. This is the only time the key is shown/);
    const query = await runCli(['keys', 'create', '--role', 'query'], env());
    const listed = await runCli(['keys', 'list'], env());
    assert.deepEqual(listed.exit, [0, null]);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines.find((l) => l.endsWith('ops'))!, /^[0-9a-f-]{36} {2}admin +\S+Z {2}ops$/);
    assert.ok(!listed.stdout.includes(admin.stdout.trim()) && !listed.stdout.includes(query.stdout.trim()), 'no key in the list');

    assert.deepEqual((await runCli(['keys', 'create', '--role', 'root'], env())).exit, [2, null]);
    assert.match((await runCli(['keys', 'create', '--role', 'query', '--name', 'ops'], env())).stderr, /a live key is already named "ops"/);
    assert.deepEqual((await runCli(['keys', 'revoke', 'nobody'], env())).exit, [1, null]);
    assert.match((await runCli(['keys'], env())).stderr, /expected create, list or revoke/);
  });

  it('starts requiring them: queries need a key, its own telemetry still gets in; a revoked key is refused at the next start', async () => {
    const admin = (await runCli(['keys', 'create', '--role', 'admin', '--name', 'cli-admin'], env())).stdout.trim();
    const query = (await runCli(['keys', 'create', '--role', 'query', '--name', 'cli-query'], env())).stdout.trim();
    const started = await startCli(dataDir, ['--roles', 'ingestion,flightsql,gateway']);
    try {
      assert.ok(started.lines.includes('micromegas: API keys required (4 live keys in the database)'), started.lines.join('\n'));
      const flightsql = started.address('flightsql');
      const sql = 'SELECT 41 + 1 AS answer';
      const wrong = await runCli(['query', sql, '--url', flightsql, '--api-key', 'mmk_wrong']);
      assert.deepEqual(wrong.exit, [1, null]);
      assert.equal(wrong.stderr, 'micromegas query: UNAUTHENTICATED: invalid API key: unknown or revoked\n');
      const missing = await runCli(['query', sql, '--url', flightsql], { MICROMEGAS_API_KEY: '' });
      assert.match(missing.stderr, /UNAUTHENTICATED: missing API key/);
      const byOption = await runCli(['query', sql, '--url', flightsql, '--api-key', query, '--format', 'json']);
      assert.deepEqual(JSON.parse(byOption.stdout), [{ answer: 42 }], byOption.stderr);
      const byEnv = await runCli(['query', sql, '--url', flightsql, '--format', 'json'], { MICROMEGAS_API_KEY: query });
      assert.deepEqual(JSON.parse(byEnv.stdout), [{ answer: 42 }], byEnv.stderr);

      // the backend's own telemetry carries its own key (it has none of the database's)
      const gateway = started.address('gateway');
      assert.equal((await gatewayRows(gateway, undefined, 'SELECT 1')).status, 401);
      const deadline = Date.now() + WAIT_MS;
      let own: unknown = [];
      while (Array.isArray(own) && own.length === 0 && Date.now() < deadline) {
        own = (await gatewayRows(gateway, admin, "SELECT exe FROM processes WHERE exe = 'micromegas'")).rows;
        if (Array.isArray(own) && own.length === 0) await sleep(200);
      }
      assert.deepEqual(own, [{ exe: 'micromegas' }]);
    } finally {
      assert.deepEqual(await started.stop(), [0, null], started.stderr());
    }

    const revoked = await runCli(['keys', 'revoke', 'cli-query'], env());
    assert.deepEqual(revoked.exit, [0, null], revoked.stderr);
    assert.match(revoked.stdout, /cli-query {2}revoked \S+Z\n$/);
    const again = await startCli(dataDir, ['--roles', 'flightsql']);
    try {
      const refused = await runCli(['query', 'SELECT 1', '--url', again.address('flightsql'), '--api-key', query]);
      assert.match(refused.stderr, /UNAUTHENTICATED: invalid API key: unknown or revoked/);
    } finally {
      await again.stop();
    }
  });
});

describe('micromegas start without keys', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mm-auth-cli-open-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('listens on loopback only by default (FlightSQL included) and says so', async () => {
    const started = await startCli(dataDir, ['--roles', 'flightsql,gateway'], { MICROMEGAS_FLIGHTSQL_HOST: '' });
    try {
      assert.ok(started.lines.includes('micromegas: no API key configured: authentication off, listening on loopback only (create one: micromegas keys create --role admin)'),
        started.lines.join('\n'));
      assert.match(started.address('flightsql'), /^grpc:\/\/127\.0\.0\.1:\d+$/);
      assert.match(started.address('gateway'), /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await started.stop();
    }
  });

  it('refuses to listen beyond loopback, with exit code 2 and the way out', async () => {
    const refused = await runCli(['start', '--roles', 'flightsql'], { MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_FLIGHTSQL_HOST: '0.0.0.0', MICROMEGAS_FLIGHTSQL_PORT: '0' });
    assert.deepEqual(refused.exit, [2, null]);
    assert.match(refused.stderr, /^micromegas start: MICROMEGAS_FLIGHTSQL_HOST="0\.0\.0\.0": expected a loopback address .* set MICROMEGAS_ADMIN_KEY or create a key/);
  });
});
