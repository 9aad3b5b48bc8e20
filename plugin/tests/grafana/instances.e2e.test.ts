/** @jest-environment node */
// Datasource instances as Grafana's organizations and datasource edits exercise them: a uid is unique
// only within an organization, so another org's datasource with the same uid must get its own
// connection and API key; saving a datasource (new updated time) must take effect at once.
import { GrafanaHost, type DatasourceConfig } from '../grafanaHost';
import { startObservedFlightSql, type ObservedFlightSql } from './observedFlightSql';

jest.setTimeout(60_000);

let server: ObservedFlightSql;
let host: GrafanaHost;

beforeAll(async () => {
  server = await startObservedFlightSql();
  host = await GrafanaHost.launch();
});
afterAll(async () => {
  await host?.stop();
  await server?.stop();
});

const datasource = (orgId: number, id: number, apiKey: string, lastUpdatedMS = 1): DatasourceConfig => ({
  orgId,
  id,
  uid: 'micromegas',
  lastUpdatedMS,
  jsonData: { address: server.address, timeFilterDefault: false },
  secure: { apiKey },
});

/** Runs a query tagged `tag` and returns the API key the server received with it. */
async function keyUsedBy(config: DatasourceConfig, tag: string, metadata: Record<string, string> = {}): Promise<string | null> {
  const seen = server.events.length;
  const responses = await host.queryData(
    config,
    [{ refId: 'A', model: { rawSql: `SELECT '${tag}' AS tag`, format: 'table' }, from: 0, to: 1 }],
    {
      metadata,
    },
  );
  expect(responses.A!.decoded[0]!.fields[0]!.values).toEqual([tag]);
  const calls = server.events.slice(seen).filter((e) => e.event === 'call');
  const keys = new Set(calls.map((e) => (e.event === 'call' ? e.authorization : null)));
  expect(keys.size).toBe(1);
  return [...keys][0]!;
}

test("org 2's datasource with org 1's uid gets its own connection and API key", async () => {
  expect(await keyUsedBy(datasource(1, 1, 'key-org-1'), 'org 1')).toBe('Bearer key-org-1');
  expect(await keyUsedBy(datasource(2, 2, 'key-org-2'), 'org 2')).toBe('Bearer key-org-2');
  expect(await keyUsedBy(datasource(1, 1, 'key-org-1'), 'org 1 again')).toBe('Bearer key-org-1');
});

test('a saved datasource (new updated time) is used at once, and its old connection is closed', async () => {
  expect(await keyUsedBy(datasource(1, 1, 'rotated-key', 2), 'after save')).toBe('Bearer rotated-key');
  expect(host.log).toContainEqual(
    expect.objectContaining({ level: 'debug', message: 'Datasource instance disposed', fields: expect.objectContaining({ key: '1#1#' }) }),
  );
});

test('each tenant of a multi-tenant Grafana (gRPC metadata tenantID) gets its own instance, as sdk-go keys them', async () => {
  const created = () => host.log.filter((e) => e.message === 'Datasource instance created').map((e) => e.fields.key);
  await keyUsedBy(datasource(1, 1, 'rotated-key', 2), 'tenant a', { tenantID: 'tenant-a' });
  expect(created()).toContain('1#1#tenant-a');
});
