// Datasource instance settings as Grafana sends them in every request's PluginContext.
import type { MicromegasDataSourceOptions } from '../src/types.js';
import type { ConnectionSettings } from './flightsql/engine.js';
import type { DataSourceInstanceSettings, PluginContext } from './protocol/messages.js';

export interface DatasourceSettings {
  /** Grafana's numeric datasource id: unique across organizations, unlike the uid. */
  id: number;
  uid: string;
  orgId: number;
  updatedMs: number;
  grafanaConfig: Record<string, string>;
  connection: ConnectionSettings;
  timeFilterDefault: boolean;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export function readSettings(context: PluginContext | null): DatasourceSettings {
  const instance: DataSourceInstanceSettings | null | undefined = context?.dataSourceInstanceSettings;
  if (!context || !instance) {
    throw new SettingsError('request carries no datasource instance settings');
  }
  let options: MicromegasDataSourceOptions = {};
  if (instance.jsonData.length > 0) {
    try {
      options = JSON.parse(instance.jsonData.toString('utf8')) as MicromegasDataSourceOptions;
    } catch (e) {
      throw new SettingsError(`datasource "${instance.name}" has invalid jsonData: ${(e as Error).message}`);
    }
  }
  const address = (options.address ?? instance.url ?? '').trim().replace(/^grpc\+?(tls|tcp)?:\/\//, '');
  if (address.length === 0) {
    throw new SettingsError(`datasource "${instance.name}" has no FlightSQL address configured`);
  }
  if (!URL.canParse(`grpc://${address}`) || address.includes('/')) {
    throw new SettingsError(`datasource "${instance.name}": FlightSQL address "${address}" is not host:port`);
  }
  const apiKey = instance.decryptedSecureJsonData?.apiKey;
  return {
    id: instance.id,
    uid: instance.uid,
    orgId: context.orgId,
    updatedMs: instance.lastUpdatedMS,
    grafanaConfig: context.grafanaConfig ?? {},
    connection: { address, tls: options.tls ?? false, ...(apiKey ? { apiKey } : {}) },
    timeFilterDefault: options.timeFilterDefault ?? true,
  };
}
