// The gRPC server Grafana talks to: pluginv2 services, grpc.health.v1 for service "plugin", and
// go-plugin's controller, stdio and broker, as a go-plugin server registers them. Every handler
// converts its failures to gRPC status errors, so the process never dies on a request; every call
// gets an AbortSignal that Grafana's cancellation (or a deadline) aborts.
import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { services } from './protocol/definitions.js';
import type { CallContext } from './protocol/call.js';
import type { Logger } from './protocol/logger.js';
import type { CallResourceRequest } from './protocol/messages.js';
import { createQueryData } from './services/data.js';
import { createCheckHealth } from './services/diagnostics.js';
import { createCallResource } from './services/resource.js';
import type { EngineInstances } from './instances.js';

/** What sdk-go's server accepts (backend/serve.go, defaultServerMaxReceiveMessageSize); grpc-js would stop at 4 MiB. */
export const MAX_RECEIVE_MESSAGE_BYTES = 16 * 1024 * 1024;

type Cancellable = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** Calls in flight, so that a shutdown cancels them (go-plugin's Shutdown stops the server at once). */
class InFlight {
  private readonly controllers = new Set<AbortController>();

  begin(call: Cancellable & { metadata: Metadata }): { context: CallContext; end: () => void } {
    const controller = new AbortController();
    const abort = () => controller.abort();
    call.on('cancelled', abort);
    this.controllers.add(controller);
    const [tenant] = call.metadata.get('tenantid');
    return {
      context: { signal: controller.signal, tenantId: typeof tenant === 'string' ? tenant : '' },
      end: () => {
        call.off('cancelled', abort);
        this.controllers.delete(controller);
      },
    };
  }

  cancelAll(): void {
    for (const controller of this.controllers) {
      controller.abort();
    }
  }
}

function unary<Req, Res>(logger: Logger, inFlight: InFlight, method: string, handler: (request: Req, call: CallContext) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const { context, end } = inFlight.begin(call as Cancellable & { metadata: Metadata });
    handler(call.request, context)
      .then(
        (response) => callback(null, response),
        (e: Error) => {
          if (!context.signal.aborted) {
            logger.log('error', `${method} failed`, { error: e.message });
          }
          callback({ code: status.INTERNAL, details: e.message });
        },
      )
      .finally(end);
  };
}

export interface PluginServer {
  port: number;
  /** Cancels every call in flight and closes the server at once, as go-plugin's Shutdown does. */
  stop(): void;
}

export async function startPluginServer(instances: EngineInstances, logger: Logger, onShutdownRequest: () => void): Promise<PluginServer> {
  const server = new Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES });
  const inFlight = new InFlight();
  server.addService(services.data, { QueryData: unary(logger, inFlight, 'QueryData', createQueryData(instances, logger)) });
  server.addService(services.diagnostics, {
    CheckHealth: unary(logger, inFlight, 'CheckHealth', createCheckHealth(instances)),
    CollectMetrics: unary(logger, inFlight, 'CollectMetrics', async () => ({ metrics: { prometheus: Buffer.alloc(0) } })),
  });
  const callResource = createCallResource(instances);
  server.addService(services.resource, {
    CallResource: (call: ServerWritableStream<CallResourceRequest, unknown>) => {
      const { context, end } = inFlight.begin(call as Cancellable & { metadata: Metadata });
      callResource(call.request, context)
        .then(
          (response) => {
            call.write(response);
            call.end();
          },
          (e: Error) => call.destroy(Object.assign(new Error(e.message), { code: status.INTERNAL })),
        )
        .finally(end);
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
  // The host opens the stdio stream right after connecting. A go-plugin server sends there what the
  // plugin writes to its redirected stdout/stderr; we write our log lines to stderr itself (as sdk-go's
  // logger does), so the stream stays open and empty until the host leaves.
  server.addService(services.stdio, { StreamStdio: () => undefined });
  // The broker lets either side offer extra services by id; this plugin offers none and dials none.
  server.addService(services.broker, {
    StartStream: (call: ServerDuplexStream<unknown, unknown>) => {
      call.on('data', () => undefined);
      call.on('end', () => call.end());
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    port,
    stop: () => {
      inFlight.cancelAll();
      server.forceShutdown();
    },
  };
}
