import { roleAddress, withLakehouseQuery } from '../flightsql/lakehouse-engine.js';
import { createHttpServer, listen } from '../service/http.js';
import type { Role } from '../service/role.js';
import { queryRoutes } from './routes.js';

/** The HTTP query gateway: SQL in, Arrow IPC or JSON out, for clients without gRPC. */
export const role: Role = {
  name: 'gateway',
  summary: 'HTTP query gateway (POST /api/query → Arrow IPC stream or JSON rows)',
  start(context) {
    const address = roleAddress(context, 'gateway', { host: '127.0.0.1', port: 8000 });
    return withLakehouseQuery(context, async (lake) => {
      const app = createHttpServer(context.config.logLevel);
      await app.register(queryRoutes, { engine: lake.engine });
      return listen('gateway', app, address);
    });
  },
};
