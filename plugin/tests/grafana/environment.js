// Jest environment of the Grafana host tests: Grafana's frontend code (@grafana/runtime, scenes
// interpolation, the datasource) runs in jsdom, as in a browser; the server half of the host talks
// gRPC to the plugin executable, and @grpc/grpc-js needs Node's setImmediate, which jsdom hides.
const { TestEnvironment } = require('jest-environment-jsdom');

class GrafanaHostEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, { setImmediate, clearImmediate });
  }
}

module.exports = GrafanaHostEnvironment;
