import { createRequire } from 'node:module';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { flightServiceDefinition } from '@micromegas/flightsql-client';
import type { QueryEngine } from '../query/engine.js';
import { Authenticator } from '../auth/authenticator.js';
import { apiKeyInterceptor } from './auth.js';
import { flightSqlHandlers } from './handlers.js';
import type { TableLister } from './tables.js';

export interface FlightSqlServerOptions {
  engine: QueryEngine;
  /** Tables CommandGetTables lists (e.g. `() => viewSetTables(catalog.viewSets())`); none by default. */
  tables?: TableLister;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 50051; 0 picks a free port. */
  port?: number;
  /** Checks every call's API key (UNAUTHENTICATED / PERMISSION_DENIED otherwise); default: none required, callers are admin. */
  authenticator?: Authenticator;
  /** Serve TLS with this PEM key pair instead of plaintext. */
  tls?: { key: Buffer; cert: Buffer };
  /** Told about failures that are the server's fault (INTERNAL), e.g. to log them. */
  onInternalError?: (error: unknown, rpc: string) => void;
  /** Largest record batch body per FlightData; default 2 MiB, under every peer's 4 MiB receive default. */
  maxMessageBytes?: number;
}

export interface FlightSqlServer {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Serves Arrow FlightSQL over gRPC: statements, prepared statements and catalog metadata. */
export async function startFlightSqlServer(options: FlightSqlServerOptions): Promise<FlightSqlServer> {
  const authenticator = options.authenticator ?? new Authenticator({ required: false, cacheTtlMs: 0 });
  const server = new Server({ interceptors: [apiKeyInterceptor(authenticator)] });
  server.addService(flightServiceDefinition, flightSqlHandlers({
    engine: options.engine,
    tables: options.tables ?? (() => []),
    version,
    maxMessageBytes: options.maxMessageBytes ?? 2 * 1024 * 1024,
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  }));
  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }])
    : ServerCredentials.createInsecure();
  const address = `${options.host ?? '127.0.0.1'}:${options.port ?? 50051}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      // Give running calls a moment, then cut them: shutdown must not hang on a stuck client.
      const timer = setTimeout(() => server.forceShutdown(), 2000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}
