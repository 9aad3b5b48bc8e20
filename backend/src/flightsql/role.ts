import type { Role } from '../service/role.js';
import { roleAddress, withLakehouseQuery } from './lakehouse-engine.js';
import { startFlightSqlServer } from './server.js';
import { viewSetTables } from './tables.js';

/** Arrow FlightSQL over gRPC: what Grafana, the CLI and any FlightSQL client query. */
export const role: Role = {
  name: 'flightsql',
  summary: 'Arrow FlightSQL (gRPC) SQL endpoint over the lakehouse',
  start(context) {
    const address = roleAddress(context, 'flightsql', { host: '0.0.0.0', port: 50051 });
    return withLakehouseQuery(context, async (lake) => {
      const server = await startFlightSqlServer({
        engine: lake.engine,
        tables: () => viewSetTables(lake.viewSets()),
        ...address,
        ...(context.config.logLevel === 'silent' ? {} : {
          onInternalError: (error: unknown, rpc: string) => console.error(`flightsql ${rpc}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
        }),
      });
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      return { name: 'flightsql', url: `grpc://${host}:${server.port}`, stop: () => server.close() };
    });
  },
};
