// Loads the gRPC service definitions from the bundled .proto sources.
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

function constructor(pkg: GrpcObject, path: string): ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of path.split('.')) {
    node = (node as Record<string, unknown>)[part];
  }
  if (!node) {
    throw new Error(`service ${path} is not in the bundled protos`);
  }
  return node as ServiceClientConstructor;
}

const pluginv2 = load(pluginv2Source);
const health = load(healthSource);
const goPlugin = load(goPluginSource);

/** Client constructors (the test harness plays Grafana's part with them); `.service` is the server side. */
export const clients = {
  data: constructor(pluginv2, 'pluginv2.Data'),
  diagnostics: constructor(pluginv2, 'pluginv2.Diagnostics'),
  resource: constructor(pluginv2, 'pluginv2.Resource'),
  health: constructor(health, 'grpc.health.v1.Health'),
  controller: constructor(goPlugin, 'plugin.GRPCController'),
};

export const services: Record<keyof typeof clients, ServiceDefinition> = {
  data: clients.data.service,
  diagnostics: clients.diagnostics.service,
  resource: clients.resource.service,
  health: clients.health.service,
  controller: clients.controller.service,
};
