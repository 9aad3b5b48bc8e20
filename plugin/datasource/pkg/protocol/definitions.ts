// Loads the gRPC services of the protocol from the bundled .proto sources (proto/: Grafana's
// backend.proto, go-plugin's controller, stdio and broker, grpc health), into one protobuf root.
import protobuf from 'protobufjs';
import { fromJSON, type Options } from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import backendSource from '../proto/backend.proto';
import healthSource from '../proto/health.proto';
import emptySource from '../proto/google/protobuf/empty.proto';
import controllerSource from '../proto/grpc_controller.proto';
import stdioSource from '../proto/grpc_stdio.proto';
import brokerSource from '../proto/grpc_broker.proto';

const SOURCES = [backendSource, healthSource, emptySource, controllerSource, stdioSource, brokerSource];

/** Client constructors by full service name (`.service` is the server-side definition). */
export function loadServices(options: Options): (path: string) => ServiceClientConstructor {
  const root = new protobuf.Root();
  for (const source of SOURCES) {
    protobuf.parse(source, root, { keepCase: true });
  }
  root.resolveAll();
  const pkg: GrpcObject = loadPackageDefinition(fromJSON(root.toJSON(), options));
  return (path) => {
    let node: unknown = pkg;
    for (const part of path.split('.')) {
      node = (node as Record<string, unknown>)[part];
    }
    if (!node) {
      throw new Error(`service ${path} is not in the bundled protos`);
    }
    return node as ServiceClientConstructor;
  };
}

// int64 epoch milliseconds and intervals fit in a double; bytes stay Buffers.
const service = loadServices({ keepCase: true, longs: Number, enums: String, defaults: true });

export const services = {
  data: service('pluginv2.Data').service,
  diagnostics: service('pluginv2.Diagnostics').service,
  resource: service('pluginv2.Resource').service,
  health: service('grpc.health.v1.Health').service,
  controller: service('plugin.GRPCController').service,
  stdio: service('plugin.GRPCStdio').service,
  broker: service('plugin.GRPCBroker').service,
};
