/**
 * A backend for end-to-end tests: the given roles of `startServices` in this process, on loopback
 * ports, over a fresh data folder, with a FlightSQL client; `stop` removes it all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';

export interface LocalStack {
  dataDir: string;
  services: Services;
  /** The URL each running role listens on. */
  urlOf(role: string): string;
  client: FlightSQLClient;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  env?: Record<string, string>;
  /** The key the client sends (the stack's admin key, when `env` sets one). */
  apiKey?: string;
}

export async function startLocalStack(name: string, roles: readonly string[], options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `mm-${name}-`));
  const config = loadConfig({
    MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'silent', MICROMEGAS_INGESTION_PORT: '0',
    MICROMEGAS_FLIGHTSQL_HOST: '127.0.0.1', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0',
    ...options.env,
  });
  const services = await startServices(config, roles);
  const urlOf = (role: string): string => {
    const running = services.running.find((r) => r.name === role);
    if (running === undefined) throw new Error(`local stack: role ${role} is not running`);
    return running.url;
  };
  const client = new FlightSQLClient({ url: urlOf('flightsql'), ...(options.apiKey === undefined ? {} : { token: options.apiKey }) });
  return {
    dataDir, services, urlOf, client,
    async stop() {
      client.close();
      await services.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
