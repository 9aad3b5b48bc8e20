import type { Role } from '../service/role.js';
import { startFlightSqlServer } from './server.js';
import { viewSetTables } from './tables.js';

/** Arrow FlightSQL over gRPC: what Grafana, the CLI and any FlightSQL client query. */
export const role: Role = {
  name: 'flightsql',
  summary: 'Arrow FlightSQL (gRPC) SQL endpoint over the lakehouse',
  async start(context) {
    const { host, port } = context.config.flightsql;
    const { engine, catalog } = await context.lakehouse();
    const server = await startFlightSqlServer({
      engine, host, port,
      tables: () => viewSetTables(catalog.viewSets()),
      ...(context.config.logLevel === 'silent' ? {} : {
        onInternalError: (error: unknown, rpc: string) => console.error(`flightsql ${rpc}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      }),
    });
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return { name: 'flightsql', url: `grpc://${shownHost}:${server.port}`, stop: () => server.close() };
  },
};
