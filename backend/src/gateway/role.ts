import { createHttpServer, listen } from '../service/http.js';
import { checkExposure } from '../service/exposure.js';
import type { Role } from '../service/role.js';
import { queryRoutes } from './routes.js';
import { perfettoRoutes } from './perfetto-routes.js';

/** The HTTP query gateway: SQL in, Arrow IPC or JSON out, for clients without gRPC. */
export const role: Role = {
  name: 'gateway',
  summary: 'HTTP query gateway (POST /api/query → Arrow IPC stream or JSON rows; GET /api/perfetto/<process_id> → trace file)',
  async start(context) {
    const { engine } = await context.lakehouse();
    const authenticator = await context.auth();
    checkExposure('MICROMEGAS_GATEWAY_HOST', context.config.gateway.host, authenticator);
    const app = createHttpServer(context.config.logLevel, context.config.tls);
    await app.register(queryRoutes, { engine, authenticator });
    await app.register(perfettoRoutes, { engine, authenticator });
    return listen('gateway', app, context.config.gateway);
  },
};
