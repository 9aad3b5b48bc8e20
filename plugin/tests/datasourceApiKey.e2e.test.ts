/** @jest-environment node */
// The datasource executable sends the API key of its secure settings (`apiKey`) as a FlightSQL bearer
// token to a backend that requires keys (`micromegas start` with MICROMEGAS_ADMIN_KEY and a query
// key from `micromegas keys create`): health and queries pass with it, and fail, saying why, without.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { decodeFrame } from '../datasource/pkg/frames/testing';
import { GrafanaHost, type DatasourceConfig } from './grafanaHost';

jest.setTimeout(120_000);

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');
const ADMIN_KEY = 'mmk_plugin-test-admin-key-0123456789';

let dataDir: string;
let backend: ChildProcessByStdio<null, Readable, Readable>;
let host: GrafanaHost;
let address: string | undefined;
let queryKey: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mm-plugin-api-key-'));
  const env = { ...process.env, MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent' };
  const created = spawnSync(process.execPath, [CLI, 'keys', 'create', '--role', 'query', '--name', 'grafana'], { env, encoding: 'utf8' });
  if (created.status !== 0) {
    throw new Error(`keys create: ${created.stderr}`);
  }
  queryKey = created.stdout.trim();
  backend = spawn(process.execPath, [CLI, 'start', '--roles', 'flightsql'], {
    env: { ...env, MICROMEGAS_ADMIN_KEY: ADMIN_KEY, MICROMEGAS_FLIGHTSQL_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  backend.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  for await (const line of createInterface({ input: backend.stdout })) {
    const match = /^micromegas: flightsql\s+listening on grpc:\/\/(\S+)/.exec(line);
    if (match) {
      address = match[1]!;
      break;
    }
  }
  if (address === undefined) {
    throw new Error(`micromegas start did not start: ${stderr}`);
  }
  host = await GrafanaHost.launch();
});

afterAll(async () => {
  await host?.stop();
  if (backend && backend.exitCode === null) {
    const exited = new Promise((resolve) => backend.once('exit', resolve));
    backend.kill('SIGINT');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** One datasource per key, each with its own numeric id as Grafana numbers them: the plugin keeps a
 *  connection per datasource id (and settings version), as sdk-go's instance manager does. */
const ids = new Map<string, number>();
const idOf = (name: string) => ids.get(name) ?? ids.set(name, ids.size + 1).get(name)!;
const config = (apiKey?: string): DatasourceConfig => ({
  id: idOf(apiKey ?? ''),
  uid: `micromegas-${apiKey ?? 'none'}`,
  jsonData: { address: address!, tls: false },
  ...(apiKey === undefined ? {} : { secure: { apiKey } }),
});

test('CheckHealth passes with the key of the secure settings, and says why it fails without one or with a wrong one', async () => {
  expect((await host.checkHealth(config(queryKey))).status).toBe('OK');
  const missing = await host.checkHealth(config());
  expect(missing.status).toBe('ERROR');
  expect(missing.message).toMatch(/missing API key: send the header 'authorization: Bearer <key>'/);
  expect((await host.checkHealth(config('mmk_wrong'))).message).toMatch(/invalid API key: unknown or revoked/);
});

test('QueryData runs with the key; admin functions stay refused to a query key', async () => {
  const refId = 'A';
  const run = (rawSql: string) =>
    host.queryData(config(queryKey), [{ refId, model: { rawSql, format: 'table' }, from: 0, to: Date.now() }]);
  const ok = (await run('SELECT 42 AS answer'))[refId]!;
  expect(ok.error).toBeFalsy();
  expect(decodeFrame(ok.frames[0]!).fields.find((f) => f.name === 'answer')!.values).toEqual([42]);
  const denied = (await run("SELECT * FROM retire_partitions('log_entries', 'global', now(), now())"))[refId]!;
  expect(denied.error).toMatch(/admin function: it needs an API key with the admin role/);
});
