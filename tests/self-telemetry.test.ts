/**
 * `micromegas start` sends its own telemetry to its own ingestion: what maintenance does becomes
 * measures and logs of the process `micromegas`, queryable through the gateway of the same process;
 * on SIGINT the SDK is shut down before ingestion stops and the process still exits cleanly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const cli = new URL('../src/cli.js', import.meta.url);
/** How long the backend may take to deliver, ingest and serve its first telemetry on a busy machine. */
const WAIT_MS = 90_000;

interface Started {
  /** stdout up to the self-telemetry line, which start prints after every role's address. */
  lines: string[];
  stderr(): string;
  /** Sends SIGINT and resolves to the exit code and signal. */
  interrupt(): Promise<[number | null, string | null]>;
}

async function start(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [cli.pathname, 'start', ...args], {
    env: {
      ...process.env, MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent', MICROMEGAS_INGESTION_PORT: '0',
      MICROMEGAS_FLIGHTSQL_HOST: '127.0.0.1', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (line.startsWith('micromegas: self-telemetry')) {
      return { lines, stderr: () => stderr, interrupt: () => { child.kill('SIGINT'); return exited; } };
    }
  }
  throw new Error(`start printed no self-telemetry line: ${lines.join('\n')}\n${stderr}`);
}

function addressOf(started: Started, role: string): string {
  const match = started.lines.map((l) => new RegExp(`${role}\\s+listening on (\\S+)`).exec(l)).find((m) => m !== null);
  assert.ok(match, `no ${role} address in:\n${started.lines.join('\n')}`);
  return match[1]!;
}

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
    const started = await start(dataDir, []);
    let exit;
    try {
      const ingestion = addressOf(started, 'ingestion');
      assert.equal(started.lines.at(-1), `micromegas: self-telemetry to ${ingestion} (exe micromegas)`);
      const gateway = addressOf(started, 'gateway');

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
      exit = await started.interrupt();
    }
    assert.deepEqual(exit, [0, null], started.stderr());
  }));

  it('says so when it is off, and still stops cleanly', () => withDataDir(async (dataDir) => {
    const started = await start(dataDir, ['--roles', 'ingestion'], { MICROMEGAS_SELF_TELEMETRY_URL: 'off' });
    const exit = await started.interrupt();
    assert.equal(started.lines.at(-1), 'micromegas: self-telemetry off');
    assert.deepEqual(exit, [0, null], started.stderr());
  }));

  it('refuses a self-telemetry URL that is not http(s), naming the variable, with exit code 2', async () => {
    const child = spawn(process.execPath, [cli.pathname, 'start'], {
      env: { ...process.env, MICROMEGAS_SELF_TELEMETRY_URL: 'grpc://127.0.0.1:50051' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    assert.deepEqual(await once(child, 'exit'), [2, null]);
    assert.match(stderr, /MICROMEGAS_SELF_TELEMETRY_URL="grpc:\/\/127\.0\.0\.1:50051": expected an http\(s\) URL or off/);
  });
});
