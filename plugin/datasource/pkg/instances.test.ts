/** @jest-environment node */
import type { Table } from 'apache-arrow';
import type { ConnectionSettings, SqlEngine } from './flightsql/engine';
import { EngineInstances } from './instances';
import type { Logger } from './protocol/logger';
import type { DatasourceSettings } from './settings';

/** Engines that record what they were made with and whether they were closed. */
function recordingFactory() {
  const made: Array<{ settings: ConnectionSettings; closed: boolean }> = [];
  const factory = (settings: ConnectionSettings): SqlEngine => {
    const entry = { settings, closed: false };
    made.push(entry);
    return {
      query: async () => ({}) as Table,
      serverVersion: async () => 'test',
      close: () => {
        entry.closed = true;
      },
    };
  };
  return { made, factory };
}

const silent: Logger = { log: () => undefined };

function settings(overrides: Partial<DatasourceSettings> = {}): DatasourceSettings {
  return {
    id: 1,
    uid: 'mm',
    orgId: 1,
    updatedMs: 1,
    grafanaConfig: {},
    connection: { address: 'a:1', tls: false, apiKey: 'k1' },
    timeFilterDefault: true,
    ...overrides,
  };
}

const use = (instances: EngineInstances, s: DatasourceSettings, tenant = '') => instances.with(s, tenant, async (engine) => engine);

describe('datasource instances, as sdk-go instancemgmt keys them', () => {
  test('one connection per org, datasource id and tenant: the same uid in another org is another instance', async () => {
    const { made, factory } = recordingFactory();
    const instances = new EngineInstances(factory, silent);
    const first = await use(instances, settings());
    expect(await use(instances, settings())).toBe(first);
    await use(instances, settings({ orgId: 2, id: 7, connection: { address: 'a:1', tls: false, apiKey: 'k2' } }));
    await use(instances, settings(), 'tenant-b');
    expect(made.map((m) => m.settings.apiKey)).toEqual(['k1', 'k2', 'k1']);
    expect(instances.size).toBe(3);
  });

  test('a saved datasource (new lastUpdatedMS) or a changed Grafana config replaces the instance; the old one is closed', async () => {
    const { made, factory } = recordingFactory();
    const instances = new EngineInstances(factory, silent);
    await use(instances, settings());
    await use(instances, settings({ updatedMs: 2, connection: { address: 'b:2', tls: false } }));
    await use(instances, settings({ updatedMs: 2, grafanaConfig: { GF_SQL_ROW_LIMIT: '10' }, connection: { address: 'b:2', tls: false } }));
    expect(made.map((m) => [m.settings.address, m.closed])).toEqual([
      ['a:1', true],
      ['b:2', true],
      ['b:2', false],
    ]);
    expect(instances.size).toBe(1);
  });

  test('a replaced instance still in use is closed when its last call ends, not under it', async () => {
    const { made, factory } = recordingFactory();
    const instances = new EngineInstances(factory, silent);
    let release!: () => void;
    const running = instances.with(settings(), '', () => new Promise<void>((resolve) => (release = resolve)));
    await use(instances, settings({ updatedMs: 2 }));
    expect(made.map((m) => m.closed)).toEqual([false, false]);
    expect(instances.size).toBe(2);
    release();
    await running;
    expect(made.map((m) => m.closed)).toEqual([true, false]);
    expect(instances.size).toBe(1);
    instances.closeAll();
    expect(made.map((m) => m.closed)).toEqual([true, true]);
  });
});
