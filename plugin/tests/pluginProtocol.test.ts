/** @jest-environment node */
// The executable speaks go-plugin and pluginv2 as Grafana's host expects, independently of any
// FlightSQL server: go-plugin's handshake, services and log parsing, per-query errors, message sizes,
// interrupts and shutdown.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { status } from '@grpc/grpc-js';
import { EXECUTABLE, GrafanaHost, PluginCallError, type DatasourceConfig } from './grafanaHost';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const now = Date.now();
const query = (refId: string, rawSql: string) => ({ refId, model: { rawSql, format: 'table' }, from: now - 60_000, to: now });

describe('datasource executable, plugin protocol', () => {
  let host: GrafanaHost;
  let config: DatasourceConfig;

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

  test("handshake line as go-plugin's client checks it: core 1, protocol 2, tcp on loopback, grpc", () => {
    expect(host.handshake).toMatchObject({ core: 1, app: 2, network: 'tcp', protocol: 'grpc' });
    expect(host.handshake.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('go-plugin\'s Ping (grpc.health.v1, service "plugin") and the broker and stdio streams it opens are served', async () => {
    await expect(host.ping()).resolves.toEqual({ status: 'SERVING' });
    await expect(host.healthCheck('other')).rejects.toThrow('unknown service "other"');
    await expect(host.collectMetrics()).resolves.toEqual({ metrics: { prometheus: Buffer.alloc(0) } });
    expect(host.streams).toEqual({ broker: 'open', stdio: 'open' });
  });

  test('CheckHealth reports the exact connection error', async () => {
    const health = await host.checkHealth(config);
    expect(health.status).toBe('ERROR');
    expect(health.message).toContain(`FlightSQL at ${(config.jsonData as { address: string }).address}:`);
    expect(health.message).toMatch(/ECONNREFUSED|UNAVAILABLE|No connection established/);
  });

  test('CheckHealth without an address says so', async () => {
    const health = await host.checkHealth({ jsonData: {} });
    expect(health).toMatchObject({ status: 'ERROR', message: expect.stringContaining('has no FlightSQL address configured') });
  });

  test('QueryData answers each query on its own: a bad macro is a 400 for that refId, an unreachable server a 502', async () => {
    const responses = await host.queryData(config, [query('bad', 'SELECT $__timeGroup(time, soon)'), query('down', 'SELECT 1')]);
    expect(responses.bad).toMatchObject({
      status: 400,
      errorSource: 'downstream',
      error: expect.stringContaining('cannot read "soon" as an interval'),
      frames: [],
    });
    expect(responses.down).toMatchObject({ status: 502, errorSource: 'downstream', error: expect.stringMatching(/^UNAVAILABLE: /) });
  });

  test.each([
    ['no FlightSQL address', { jsonData: {} }, 'has no FlightSQL address configured'],
    ['jsonData that is not JSON', { jsonData: '{"address": ' }, 'has invalid jsonData'],
    ['an address that is not host:port', { jsonData: { address: 'http://flightsql:50051/' } }, 'is not host:port'],
  ])(
    "a settings error (%s) is every query's own response, as sdk-go plugins answer, not a failed call",
    async (_name, settings, message) => {
      const responses = await host.queryData(settings, [query('A', 'SELECT 1'), query('B', 'SELECT 2')]);
      for (const refId of ['A', 'B']) {
        expect(responses[refId]).toMatchObject({
          status: 400,
          errorSource: 'downstream',
          error: expect.stringContaining(message),
          frames: [],
        });
      }
    },
  );

  test("QueryData takes requests up to sdk-go's 16 MiB (grpc-js alone stops at 4 MiB), and refuses larger ones as sdk-go does", async () => {
    const padded = (bytes: number) => query('big', `SELECT 1 /* ${'x'.repeat(bytes)} */ AS one`);
    const responses = await host.queryData(config, [padded(6 * 1024 * 1024)]);
    expect(responses.big).toMatchObject({ status: 502, error: expect.stringMatching(/^UNAVAILABLE: /) });
    const refused = host.queryData(config, [padded(17 * 1024 * 1024)]);
    await expect(refused).rejects.toBeInstanceOf(PluginCallError);
    await expect(refused).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
  });

  test('CallResource: unknown paths are 404 with the known ones listed', async () => {
    const [response] = await host.callResource(config, 'nope');
    expect(response!.code).toBe(404);
    expect(JSON.parse(response!.body.toString())).toEqual({ error: 'no resource "nope" (known: view-sets, version)' });
  });

  test("every stderr line reaches Grafana's log as an hclog entry with its level, as go-plugin parses it", () => {
    expect(host.log.filter((e) => e.raw)).toEqual([]);
    expect(host.log).toContainEqual(expect.objectContaining({ level: 'info', message: 'plugin serving', raw: false }));
    expect(host.log).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'query failed', fields: expect.objectContaining({ refId: 'down' }) }),
    );
  });

  test('a log line longer than go-plugin reads at once is shortened, not split into raw DEBUG pieces', async () => {
    const name = `ds-${'y'.repeat(200_000)}`;
    await host.queryData({ name, jsonData: {} }, [query('A', 'SELECT 1')]);
    const refused = host.log.filter((e) => e.message === 'datasource settings refused' && String(e.fields.error).includes('ds-yyy'));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.level).toBe('warn');
    expect(refused[0]!.fields.error).toMatch(/^datasource "ds-yyy.*… \(truncated\)$/);
    expect(host.log.filter((e) => e.raw)).toEqual([]);
  });

  test('ignores SIGINT as go-plugin servers do (Ctrl-C reaches the whole process group; the host stops its plugins)', async () => {
    const seen = host.log.length;
    host.child.kill('SIGINT');
    const reaction = async () => {
      for (;;) {
        const entry = host.log.slice(seen).find((e) => /interrupt|shutting down/.test(e.message));
        if (entry) {
          return entry.message;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await expect(reaction()).resolves.toBe('plugin received interrupt signal, ignoring');
    await expect(host.ping()).resolves.toEqual({ status: 'SERVING' });
  });

  test("exits by itself when the host stops it (go-plugin's Kill: Shutdown, then SIGKILL after 2 s)", async () => {
    await expect(host.stop()).resolves.toEqual({ graceful: true, exitCode: 0, signal: null });
    expect(host.log.filter((e) => e.level === 'warn' && e.message === 'plugin failed to exit gracefully')).toEqual([]);
  });
});
