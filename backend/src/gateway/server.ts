import fastify from 'fastify';
import type { QueryEngine } from '../query/engine.js';
import type { Authenticator } from '../auth/authenticator.js';
import { queryRoutes } from './routes.js';
import { perfettoRoutes } from './perfetto-routes.js';

export interface GatewayOptions {
  engine: QueryEngine;
  /** Checks each request's API key; default: none required. */
  authenticator?: Authenticator;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
}

export interface Gateway {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The HTTP query gateway on its own listener (the `gateway` role wires the same routes with service logging). */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const app = fastify({ logger: false });
  const routes = { engine: options.engine, ...(options.authenticator ? { authenticator: options.authenticator } : {}) };
  await app.register(queryRoutes, routes);
  await app.register(perfettoRoutes, routes);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8000 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8000);
  return { port, url: `http://${host}:${port}`, close: () => app.close() };
}
