// Jest environment of the Grafana host tests: Grafana's frontend code (@grafana/runtime, scenes
// interpolation, the datasource) runs in jsdom, as in a browser; the server half of the host (gRPC to
// the plugin executable, go-plugin's client, Arrow decoding) is Node code and gets the Node globals
// jsdom replaces: Node's timers (whose handles can be unref'd), setImmediate, TextEncoder/Decoder.
const { TestEnvironment } = require('jest-environment-jsdom');

class GrafanaHostEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, {
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      setImmediate,
      clearImmediate,
      TextEncoder,
      TextDecoder,
    });
  }
}

module.exports = GrafanaHostEnvironment;
