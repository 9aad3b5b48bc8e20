// Datasource instance settings as Grafana sends them in every request's PluginContext.
import type { MicromegasDataSourceOptions } from '../src/types.js';
import type { ConnectionSettings } from './flightsql/engine.js';
import type { DataSourceInstanceSettings, PluginContext } from './protocol/messages.js';

export interface DatasourceSettings {
  uid: string;
  updatedMs: number;
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
  if (!instance) {
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
  const apiKey = instance.decryptedSecureJsonData?.apiKey;
  return {
    uid: instance.uid,
    updatedMs: instance.lastUpdatedMS,
    connection: { address, tls: options.tls ?? false, ...(apiKey ? { apiKey } : {}) },
    timeFilterDefault: options.timeFilterDefault ?? true,
  };
}
