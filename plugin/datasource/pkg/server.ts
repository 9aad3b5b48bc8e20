// The gRPC server Grafana talks to: pluginv2 services, grpc.health.v1 for service "plugin", and
// go-plugin's controller. Every handler converts its failures to gRPC status errors, so the
// process never dies on a request.
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { services } from './protocol/definitions.js';
import type { Logger } from './protocol/logger.js';
import type { CallResourceRequest } from './protocol/messages.js';
import { createQueryData } from './services/data.js';
import { createCheckHealth } from './services/diagnostics.js';
import { createCallResource } from './services/resource.js';
import type { EngineInstances } from './instances.js';

function unary<Req, Res>(logger: Logger, method: string, handler: (request: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    handler(call.request).then(
      (response) => callback(null, response),
      (e: Error) => {
        logger.log('error', `${method} failed`, { error: e.message });
        callback({ code: status.INTERNAL, details: e.message });
      },
    );
  };
}

const SHUTDOWN_GRACE_MS = 2000;

export interface PluginServer {
  port: number;
  shutdown(): Promise<void>;
}

export async function startPluginServer(instances: EngineInstances, logger: Logger, onShutdownRequest: () => void): Promise<PluginServer> {
  const server = new Server();
  server.addService(services.data, { QueryData: unary(logger, 'QueryData', createQueryData(instances, logger)) });
  server.addService(services.diagnostics, {
    CheckHealth: unary(logger, 'CheckHealth', createCheckHealth(instances)),
    CollectMetrics: unary(logger, 'CollectMetrics', async () => ({ metrics: { prometheus: Buffer.alloc(0) } })),
  });
  const callResource = createCallResource(instances);
  server.addService(services.resource, {
    CallResource: (call: ServerWritableStream<CallResourceRequest, unknown>) => {
      callResource(call.request).then(
        (response) => {
          call.write(response);
          call.end();
        },
        (e: Error) => call.destroy(Object.assign(new Error(e.message), { code: status.INTERNAL })),
      );
    },
  });
  const serving = { status: 'SERVING' };
  server.addService(services.health, {
    Check: (call: ServerUnaryCall<{ service: string }, unknown>, callback: sendUnaryData<unknown>) => {
      const name = call.request.service;
      if (name === '' || name === 'plugin') {
        callback(null, serving);
      } else {
        callback({ code: status.NOT_FOUND, details: `unknown service "${name}"` });
      }
    },
    Watch: (call: ServerWritableStream<{ service: string }, unknown>) => call.write(serving),
  });
  server.addService(services.controller, {
    Shutdown: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      callback(null, {});
      setImmediate(onShutdownRequest);
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    port,
    // Let in-flight calls finish, but never outlive the host's patience.
    shutdown: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
