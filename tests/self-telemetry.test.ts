/**
 * `micromegas start` sends its own telemetry to its own ingestion: what maintenance does becomes
 * measures and logs of the process `micromegas`, queryable through the gateway of the same process;
 * on SIGINT the SDK is shut down before ingestion stops and the process still exits cleanly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { encodeCbor } from '@micromegas/wire';
import { runCli, startCli } from './cli-process.js';

/** How long the backend may take to deliver, ingest and serve its first telemetry on a busy machine. */
const WAIT_MS = 90_000;

async function query(gateway: string, sql: string, since: Date): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${gateway}/api/query`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql, begin: since.toISOString(), end: new Date(Date.now() + 60_000).toISOString() }),
  });
  const body = await response.text();
  assert.equal(response.status, 200, body);
  return JSON.parse(body) as Record<string, unknown>[];
}

/** Polls `sql` until it returns rows (bounded by WAIT_MS); returns them. */
async function eventually(gateway: string, sql: string, since: Date): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const rows = await query(gateway, sql, since);
    if (rows.length > 0) return rows;
    if (Date.now() > deadline) throw new Error(`no rows within ${WAIT_MS} ms for: ${sql}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function aProcess() {
  return {
    process_id: randomUUID(), exe: 'game', username: 'u', realname: 'u', computer: 'c', distro: 'linux', cpu_brand: 'cpu',
    tsc_frequency: 1_000_000_000, start_time: new Date().toISOString(), start_ticks: 0, parent_process_id: '', properties: {},
  };
}

async function withDataDir(test: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-self-telemetry-'));
  try {
    await test(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('micromegas start: self-telemetry', () => {
  it('records its maintenance as measures and logs of exe micromegas in its own lake, then stops on SIGINT', () => withDataDir(async (dataDir) => {
    const since = new Date(Date.now() - 60_000);
    const started = await startCli(dataDir, [], { MICROMEGAS_LOG_LEVEL: 'silent' });
    let exit;
    try {
      const ingestion = started.address('ingestion');
      assert.equal(started.lines.at(-1), `micromegas: self-telemetry to ${ingestion} (exe micromegas)`);
      const gateway = started.address('gateway');
      // Maintenance records what it does for telemetry of other processes, not for its own alone.
      const other = await fetch(`${ingestion}/ingestion/insert_process`, { method: 'POST', body: encodeCbor(aProcess()) });
      assert.equal(other.status, 200, await other.text());

      const durations = await eventually(gateway, `
        SELECT DISTINCT property_get(properties, 'task') AS task, property_get(process_properties, 'roles') AS roles, unit
        FROM measures WHERE exe = 'micromegas' AND name = 'maintenance_task_duration'
          AND property_get(properties, 'task') = 'materialize'`, since);
      assert.deepEqual(durations, [{ task: 'materialize', roles: 'ingestion,maintenance,flightsql,gateway', unit: 'seconds' }]);

      // Console output is silenced (MICROMEGAS_LOG_LEVEL=silent); the telemetry logs are not.
      const logs = await eventually(gateway, `
        SELECT level, msg FROM log_entries
        WHERE exe = 'micromegas' AND target = 'micromegas::maintenance' AND msg LIKE 'maintenance: leading%'`, since);
      assert.equal(logs[0]!['level'], 4, 'info');
    } finally {
      // Stopped before the data dir goes, whatever failed above.
      exit = await started.stop();
    }
    assert.deepEqual(exit, [0, null], started.stderr());
  }));

  it('says so when it is off, and still stops cleanly', () => withDataDir(async (dataDir) => {
    const started = await startCli(dataDir, ['--roles', 'ingestion'], { MICROMEGAS_SELF_TELEMETRY_URL: 'off' });
    const exit = await started.stop();
    assert.equal(started.lines.at(-1), 'micromegas: self-telemetry off');
    assert.deepEqual(exit, [0, null], started.stderr());
  }));

  it('refuses a self-telemetry URL that is not http(s), naming the variable, with exit code 2', async () => {
    const { exit, stderr } = await runCli(['start'], { MICROMEGAS_SELF_TELEMETRY_URL: 'grpc://127.0.0.1:50051' });
    assert.deepEqual(exit, [2, null]);
    assert.match(stderr, /MICROMEGAS_SELF_TELEMETRY_URL="grpc:\/\/127\.0\.0\.1:50051": expected an http\(s\) URL or off/);
  });
});
