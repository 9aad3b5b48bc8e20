import fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ListenAddress } from '../config.js';
import type { RunningRole } from './role.js';

/** A fastify server for one role, with the service-wide logging settings. */
export function createHttpServer(logLevel: string): FastifyInstance {
  return fastify({
    logger: logLevel === 'silent' ? false : { level: logLevel },
    // One line per request would cost more than storing a block.
    logController: new LogController({ disableRequestLogging: true }),
  });
}

/** Listens and returns the running role; `stop` drains in-flight requests. */
export async function listen(name: string, app: FastifyInstance, address: ListenAddress): Promise<RunningRole> {
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return { name, url: `http://${host}:${port}`, stop: () => app.close() };
}
