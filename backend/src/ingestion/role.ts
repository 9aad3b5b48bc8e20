import type { Role } from '../service/role.js';
import { createHttpServer, listen } from '../service/http.js';
import { healthRoutes } from '../service/health.js';
import { checkExposure } from '../service/exposure.js';
import { apiKeyAuth } from '../auth/http.js';
import { ingestionRoutes } from './routes.js';

/** The HTTP ingestion service: sinks POST processes, streams and blocks here, with an ingest key. */
export const role: Role = {
  name: 'ingestion',
  summary: 'HTTP ingestion of telemetry from the SDK sinks',
  async start(context) {
    const { config } = context;
    const metadata = await context.metadata();
    const objects = context.objects();
    const authenticator = await context.auth();
    checkExposure('MICROMEGAS_INGESTION_HOST', config.ingestion.host, authenticator);
    const app = createHttpServer(config.logLevel, config.tls);
    await app.register(healthRoutes, { checks: { metadata: () => metadata.ping(), objects: () => objects.ping() } });
    await app.register(async (ingestion) => {
      await ingestion.register(apiKeyAuth, { authenticator, role: 'ingest' });
      await ingestion.register(ingestionRoutes, { metadata, objects, maxBodyBytes: config.ingestion.maxBodyBytes });
    }, { prefix: '/ingestion' });
    return listen('ingestion', app, config.ingestion);
  },
};
