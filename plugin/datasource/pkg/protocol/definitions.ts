// Loads the gRPC service definitions the plugin serves from the bundled .proto sources.
import protobuf from 'protobufjs';
import { fromJSON } from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import pluginv2Source from '../proto/pluginv2.proto';
import healthSource from '../proto/health.proto';
import goPluginSource from '../proto/goplugin.proto';

function load(source: string): GrpcObject {
  const root = protobuf.parse(source, { keepCase: true }).root;
  // int64 epoch milliseconds and intervals fit in a double; bytes stay Buffers.
  const definition = fromJSON(root.toJSON(), { keepCase: true, longs: Number, enums: String, defaults: true });
  return loadPackageDefinition(definition);
}

function service(pkg: GrpcObject, path: string): ServiceDefinition {
  let node: unknown = pkg;
  for (const part of path.split('.')) {
    node = (node as Record<string, unknown>)[part];
  }
  if (!node) {
    throw new Error(`service ${path} is not in the bundled protos`);
  }
  return (node as ServiceClientConstructor).service;
}

const pluginv2 = load(pluginv2Source);
const health = load(healthSource);
const goPlugin = load(goPluginSource);

export const services = {
  data: service(pluginv2, 'pluginv2.Data'),
  diagnostics: service(pluginv2, 'pluginv2.Diagnostics'),
  resource: service(pluginv2, 'pluginv2.Resource'),
  health: service(health, 'grpc.health.v1.Health'),
  controller: service(goPlugin, 'plugin.GRPCController'),
  stdio: service(goPlugin, 'plugin.GRPCStdio'),
  broker: service(goPlugin, 'plugin.GRPCBroker'),
};
