import type { Role } from '../service/role.js';
import { createHttpServer, listen } from '../service/http.js';
import { healthRoutes } from '../service/health.js';
import { checkExposure } from '../service/exposure.js';
import { apiKeyAuth } from '../auth/http.js';
import { ingestionRoutes } from './routes.js';
import { otlpRoutes } from './otlp/routes.js';

/** The HTTP ingestion service: sinks POST processes, streams and blocks here, OTel exporters OTLP/HTTP, with an ingest key. */
export const role: Role = {
  name: 'ingestion',
  summary: 'HTTP ingestion of telemetry from the SDK sinks and OTLP/HTTP exporters',
  async start(context) {
    const { config } = context;
    const metadata = await context.metadata();
    const objects = context.objects();
    const authenticator = await context.auth();
    checkExposure('MICROMEGAS_INGESTION_HOST', config.ingestion.host, authenticator);
    const app = createHttpServer(config.logLevel, config.tls);
    await app.register(healthRoutes, { checks: { metadata: () => metadata.ping(), objects: () => objects.ping() } });
    const maxBodyBytes = config.ingestion.maxBodyBytes;
    // One key check in front of both APIs; /health and /ready, registered outside, stay open to probes.
    await app.register(async (ingestion) => {
      await ingestion.register(apiKeyAuth, { authenticator, role: 'ingest' });
      await ingestion.register(ingestionRoutes, { prefix: '/ingestion', metadata, objects, maxBodyBytes });
      await ingestion.register(otlpRoutes, { metadata, objects, maxBodyBytes });
    });
    return listen('ingestion', app, config.ingestion);
  },
};
