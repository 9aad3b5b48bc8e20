import type { FastifyInstance } from 'fastify';

/** A dependency /ready checks; throws when it is unusable. */
export type ReadinessCheck = () => Promise<void>;

/**
 * `GET /health`: the process serves requests. `GET /ready`: every dependency answers; 503 with what
 * failed otherwise (load balancers route on it).
 */
export async function healthRoutes(app: FastifyInstance, options: { checks: Record<string, ReadinessCheck> }): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const names = Object.keys(options.checks);
    const results = await Promise.allSettled(names.map((name) => options.checks[name]!()));
    const failures: Record<string, string> = {};
    results.forEach((result, i) => {
      if (result.status === 'rejected') failures[names[i]!] = (result.reason as Error)?.message ?? String(result.reason);
    });
    if (Object.keys(failures).length > 0) return reply.code(503).send({ status: 'unavailable', failures });
    return { status: 'ready' };
  });
}
