import type { Role } from '../service/role.js';
import { checkExposure } from '../service/exposure.js';
import { startFlightSqlServer } from './server.js';
import { viewSetTables } from './tables.js';

/** Arrow FlightSQL over gRPC: what Grafana, the CLI and any FlightSQL client query. */
export const role: Role = {
  name: 'flightsql',
  summary: 'Arrow FlightSQL (gRPC) SQL endpoint over the lakehouse',
  async start(context) {
    const { host, port } = context.config.flightsql;
    const { engine, catalog } = await context.lakehouse();
    const authenticator = await context.auth();
    checkExposure('MICROMEGAS_FLIGHTSQL_HOST', host, authenticator);
    const { tls } = context.config;
    const server = await startFlightSqlServer({
      engine, host, port, authenticator,
      tables: () => viewSetTables(catalog.viewSets()),
      ...(tls ? { tls } : {}),
      ...(context.config.logLevel === 'silent' ? {} : {
        onInternalError: (error: unknown, rpc: string) => console.error(`flightsql ${rpc}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      }),
    });
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return { name: 'flightsql', url: `${tls ? 'grpc+tls' : 'grpc'}://${shownHost}:${server.port}`, stop: () => server.close() };
  },
};
