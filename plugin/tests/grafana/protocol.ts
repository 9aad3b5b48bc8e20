// The host side of the protocol: gRPC clients of every service Grafana and go-plugin call, from the
// same protos the executable bundles, decoded as Go reads them.
import { loadServices } from '../../datasource/pkg/protocol/definitions';

// int64 as exact strings, enums by name, every field present.
const client = loadServices({ keepCase: true, longs: String, enums: String, defaults: true });

export const hostClients = {
  data: client('pluginv2.Data'),
  diagnostics: client('pluginv2.Diagnostics'),
  resource: client('pluginv2.Resource'),
  stream: client('pluginv2.Stream'),
  health: client('grpc.health.v1.Health'),
  controller: client('plugin.GRPCController'),
  stdio: client('plugin.GRPCStdio'),
  broker: client('plugin.GRPCBroker'),
};
