/** @jest-environment node */
// The executable speaks go-plugin/pluginv2 as Grafana expects, independently of any FlightSQL server.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { EXECUTABLE, GrafanaHost } from './grafanaHost';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('datasource executable, plugin protocol', () => {
  let host: GrafanaHost;
  let config: { jsonData: Record<string, unknown> };

  beforeAll(async () => {
    host = await GrafanaHost.launch();
    config = { jsonData: { address: `127.0.0.1:${await closedPort()}` } };
  });
  afterAll(async () => {
    await host?.stop();
  });

  test('refuses to run without the magic cookie', () => {
    const run = spawnSync(EXECUTABLE, [], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('grafana_plugin_type=datasource');
  });

  test('refuses protocol versions it does not serve', () => {
    const run = spawnSync(EXECUTABLE, [], {
      env: { PATH: process.env.PATH, grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('serves version 2');
  });

  test('handshake line: core 1, protocol 2, tcp on loopback, grpc', () => {
    expect(host.handshake).toMatchObject({ core: '1', app: '2', network: 'tcp', protocol: 'grpc' });
    expect(host.handshake.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('grpc.health.v1 reports service "plugin" as serving', async () => {
    await expect(host.healthCheck('plugin')).resolves.toEqual({ status: 'SERVING' });
    await expect(host.healthCheck('other')).rejects.toThrow('unknown service "other"');
  });

  test('CheckHealth reports the exact connection error', async () => {
    const health = await host.checkHealth(config);
    expect(health.status).toBe('ERROR');
    expect(health.message).toContain(`FlightSQL at ${config.jsonData.address}:`);
    expect(health.message).toMatch(/ECONNREFUSED|UNAVAILABLE|No connection established/);
  });

  test('CheckHealth without an address says so', async () => {
    const health = await host.checkHealth({ jsonData: {} });
    expect(health).toMatchObject({ status: 'ERROR', message: expect.stringContaining('has no FlightSQL address configured') });
  });

  test('QueryData answers each query on its own: a bad macro is a 400 for that refId only', async () => {
    const now = Date.now();
    const responses = await host.queryData(config, [
      { refId: 'bad', model: { rawSql: 'SELECT $__timeGroup(time, soon)', format: 'table' }, from: now - 60_000, to: now },
      { refId: 'down', model: { rawSql: 'SELECT 1', format: 'table' }, from: now - 60_000, to: now },
    ]);
    expect(responses.bad).toMatchObject({ status: 400, error: expect.stringContaining('cannot read "soon" as an interval'), frames: [] });
    expect(responses.down!.status).toBe(500);
    expect(responses.down!.error.length).toBeGreaterThan(0);
  });

  test('CallResource: unknown paths are 404 with the known ones listed', async () => {
    const [response] = await host.callResource(config, 'nope');
    expect(response!.code).toBe(404);
    expect(JSON.parse(response!.body.toString())).toEqual({ error: 'no resource "nope" (known: view-sets, version)' });
  });

  test('logs JSON lines on stderr', () => {
    const parsed = host.stderr.map((line) => JSON.parse(line));
    expect(parsed).toContainEqual(expect.objectContaining({ '@level': 'info', '@message': 'plugin serving' }));
  });

  test('exits cleanly on SIGTERM', async () => {
    await expect(host.stop()).resolves.toBe(0);
  });
});
