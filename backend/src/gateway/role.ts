import { createHttpServer, listen } from '../service/http.js';
import type { Role } from '../service/role.js';
import { queryRoutes } from './routes.js';

/** The HTTP query gateway: SQL in, Arrow IPC or JSON out, for clients without gRPC. */
export const role: Role = {
  name: 'gateway',
  summary: 'HTTP query gateway (POST /api/query → Arrow IPC stream or JSON rows)',
  async start(context) {
    const { engine } = await context.lakehouse();
    const app = createHttpServer(context.config.logLevel);
    await app.register(queryRoutes, { engine });
    return listen('gateway', app, context.config.gateway);
  },
};
