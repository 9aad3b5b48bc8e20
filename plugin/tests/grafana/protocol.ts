// The host side of the protocol: gRPC clients built from the complete protos Grafana and go-plugin
// use (proto/), independent of the plugin's own subset, so a name or number the plugin gets wrong
// fails here as it would in Grafana.
import protobuf from 'protobufjs';
import { fromJSON } from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import backendSource from './proto/backend.proto';
import goPluginSource from './proto/goplugin.proto';
import emptySource from './proto/empty.proto';
import healthSource from '../../datasource/pkg/proto/health.proto';

function load(...sources: string[]): GrpcObject {
  const root = new protobuf.Root();
  for (const source of sources) {
    protobuf.parse(source, root, { keepCase: true });
  }
  root.resolveAll();
  // As Go reads them: int64 as exact strings, enums by name, every field present.
  return loadPackageDefinition(fromJSON(root.toJSON(), { keepCase: true, longs: String, enums: String, defaults: true }));
}

function client(pkg: GrpcObject, path: string): ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of path.split('.')) {
    node = (node as Record<string, unknown>)[part];
  }
  if (!node) {
    throw new Error(`service ${path} is not in the harness protos`);
  }
  return node as ServiceClientConstructor;
}

const backend = load(backendSource);
const goPlugin = load(emptySource, goPluginSource);
const health = load(healthSource);

export const hostClients = {
  data: client(backend, 'pluginv2.Data'),
  diagnostics: client(backend, 'pluginv2.Diagnostics'),
  resource: client(backend, 'pluginv2.Resource'),
  stream: client(backend, 'pluginv2.Stream'),
  health: client(health, 'grpc.health.v1.Health'),
  controller: client(goPlugin, 'plugin.GRPCController'),
  stdio: client(goPlugin, 'plugin.GRPCStdio'),
  broker: client(goPlugin, 'plugin.GRPCBroker'),
};
