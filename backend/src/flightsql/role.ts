import type { Role } from '../service/role.js';
import { acquireLakehouseQuery, roleAddress } from './lakehouse-engine.js';
import { startFlightSqlServer } from './server.js';
import { viewSetTables } from './tables.js';

/** Arrow FlightSQL over gRPC: what Grafana, the CLI and any FlightSQL client query. */
export const role: Role = {
  name: 'flightsql',
  summary: 'Arrow FlightSQL (gRPC) SQL endpoint over the lakehouse',
  async start(context) {
    const address = roleAddress(context, 'flightsql', { host: '0.0.0.0', port: 50051 });
    const lake = await acquireLakehouseQuery(context);
    try {
      const server = await startFlightSqlServer({ engine: lake.engine, tables: () => viewSetTables(lake.viewSets()), ...address });
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      return {
        name: 'flightsql',
        url: `grpc://${host}:${server.port}`,
        async stop() {
          await server.close();
          await lake.release();
        },
      };
    } catch (err) {
      await lake.release();
      throw err;
    }
  },
};
