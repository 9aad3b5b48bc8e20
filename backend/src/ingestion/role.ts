import type { Role } from '../service/role.js';
import { createHttpServer, listen } from '../service/http.js';
import { healthRoutes } from '../service/health.js';
import { ingestionRoutes } from './routes.js';

/** The HTTP ingestion service: sinks POST processes, streams and blocks here. */
export const role: Role = {
  name: 'ingestion',
  summary: 'HTTP ingestion of telemetry from the SDK sinks',
  async start(context) {
    const { config } = context;
    const metadata = await context.metadata();
    const objects = context.objects();
    const app = createHttpServer(config.logLevel);
    await app.register(healthRoutes, { checks: { metadata: () => metadata.ping(), objects: () => objects.ping() } });
    const { maxBodyBytes, maxInFlightBytes } = config.ingestion;
    await app.register(ingestionRoutes, { prefix: '/ingestion', metadata, objects, maxBodyBytes, maxInFlightBytes });
    return listen('ingestion', app, config.ingestion);
  },
};
