// Jest environment of the Grafana host tests: Grafana's frontend code (@grafana/runtime, scenes
// interpolation, the datasource) runs in jsdom, as in a browser; the server half of the host (gRPC to
// the plugin executable, Arrow decoding) needs the Node globals jsdom hides, which browsers have too
// (TextEncoder/TextDecoder) or which only the server half uses (setImmediate).
const { TestEnvironment } = require('jest-environment-jsdom');

class GrafanaHostEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, { setImmediate, clearImmediate, TextEncoder, TextDecoder });
  }
}

module.exports = GrafanaHostEnvironment;
