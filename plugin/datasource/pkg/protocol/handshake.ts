// hashicorp/go-plugin handshake as Grafana drives it: the host sets a magic cookie and the app
// protocol versions it accepts in the environment, the plugin answers with one stdout line
// `CORE|APP|NETWORK|ADDRESS|PROTOCOL` once its gRPC server listens.

export const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 2;
export const MAGIC_COOKIE_KEY = 'grafana_plugin_type';
export const MAGIC_COOKIE_VALUE = 'datasource';

export class HandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandshakeError';
  }
}

/** Checks that we were started by a Grafana host speaking a protocol version we serve. */
export function checkHostEnvironment(env: NodeJS.ProcessEnv): void {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new HandshakeError(
      `this binary is a Grafana backend plugin: it is started by Grafana, not by hand (expected ${MAGIC_COOKIE_KEY}=${MAGIC_COOKIE_VALUE})`,
    );
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL_VERSION)).split(',').map((v) => v.trim());
  if (!offered.includes(String(APP_PROTOCOL_VERSION))) {
    throw new HandshakeError(
      `host offers plugin protocol versions [${offered.join(', ')}], this plugin serves version ${APP_PROTOCOL_VERSION}`,
    );
  }
  if (env.PLUGIN_CLIENT_CERT) {
    throw new HandshakeError('host requested go-plugin AutoMTLS, which this plugin does not implement');
  }
}

export function handshakeLine(port: number): string {
  return `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc\n`;
}
