import fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ListenAddress, TlsKeyPair } from '../config.js';
import type { RunningRole } from './role.js';

/** A fastify server for one role, with the service-wide logging settings; HTTPS with a key pair. */
export function createHttpServer(logLevel: string, tls?: TlsKeyPair): FastifyInstance {
  const app = fastify({
    logger: logLevel === 'silent' ? false : { level: logLevel },
    // One line per request would cost more than storing a block.
    logController: new LogController({ disableRequestLogging: true }),
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
  });
  // Routes see the same request and reply API over http and https; only the server type differs.
  return app as unknown as FastifyInstance;
}

/** Listens and returns the running role; `stop` drains in-flight requests. */
export async function listen(name: string, app: FastifyInstance, address: ListenAddress): Promise<RunningRole> {
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const scheme = app.initialConfig.https ? 'https' : 'http';
  return { name, url: `${scheme}://${host}:${port}`, stop: () => app.close() };
}
