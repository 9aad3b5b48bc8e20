/** @jest-environment node */
// Grafana cancels a QueryData call when the user leaves the dashboard or refreshes it, and when the
// request's deadline passes; go-plugin's Kill cancels whatever still runs. Each must stop the query
// on the FlightSQL server (DuckDB interrupts it), not let it run to its end.
import { status } from '@grpc/grpc-js';
import { GrafanaHost, PluginCallError, type DatasourceConfig } from '../grafanaHost';
import { startObservedFlightSql, type ObservedFlightSql } from './observedFlightSql';

jest.setTimeout(60_000);

/** Minutes of DuckDB work if nothing stops it. */
const SLOW_SQL = 'SELECT count(*) AS n FROM range(1000000000000) t(i)';

let server: ObservedFlightSql;
let host: GrafanaHost;
let config: DatasourceConfig;

beforeAll(async () => {
  server = await startObservedFlightSql();
  host = await GrafanaHost.launch();
  config = { jsonData: { address: server.address, timeFilterDefault: false } };
});
afterAll(async () => {
  await host?.stop();
  await server?.stop();
});

const slowQuery = (refId: string, tag: string) => ({
  refId,
  model: { rawSql: `${SLOW_SQL} -- ${tag}`, format: 'table' },
  from: Date.now() - 60_000,
  to: Date.now(),
});

test('a QueryData call Grafana cancels while the query runs stops the query on the server', async () => {
  const controller = new AbortController();
  const call = host.queryData(config, [slowQuery('A', 'cancelled')], { signal: controller.signal });
  const started = await server.next('query-start', (e) => e.sql.includes('-- cancelled'));
  controller.abort();
  await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
  const ended = await server.next('query-end', (e) => e.id === started.id);
  expect(ended).toMatchObject({ outcome: 'cancelled', code: 'cancelled', message: expect.stringContaining('INTERRUPT') });
  expect(ended.running).toBe(0);
  const after = await host.queryData(config, [{ ...slowQuery('B', ''), model: { rawSql: 'SELECT 42 AS answer', format: 'table' } }]);
  expect(after.B!.decoded[0]!.fields[0]!.values).toEqual([42]);
});

test('a deadline that passes while the query runs stops it on the server too', async () => {
  const call = host.queryData(config, [slowQuery('A', 'deadline')], { deadline: new Date(Date.now() + 3000) });
  await expect(call).rejects.toBeInstanceOf(PluginCallError);
  await expect(call).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  const started = await server.next('query-start', (e) => e.sql.includes('-- deadline'));
  await expect(server.next('query-end', (e) => e.id === started.id)).resolves.toMatchObject({ outcome: 'cancelled', running: 0 });
});

test("go-plugin's Kill while a query runs: the plugin cancels it and exits by itself", async () => {
  const running = host.queryData(config, [slowQuery('A', 'shutdown')]).catch((e: unknown) => e);
  const started = await server.next('query-start', (e) => e.sql.includes('-- shutdown'));
  await expect(host.stop()).resolves.toEqual({ graceful: true, exitCode: 0, signal: null });
  await expect(running).resolves.toBeInstanceOf(PluginCallError);
  await expect(server.next('query-end', (e) => e.id === started.id)).resolves.toMatchObject({ outcome: 'cancelled', running: 0 });
});
