// Entry point of the executable Grafana starts for the datasource (go-plugin protocol over gRPC).
import { createFlightSqlEngine } from './flightsql/client.js';
import { checkHostEnvironment, handshakeLine, HandshakeError } from './protocol/handshake.js';
import { jsonLinesLogger } from './protocol/logger.js';
import { EngineInstances } from './instances.js';
import { startPluginServer } from './server.js';

async function main(): Promise<void> {
  const logger = jsonLinesLogger();
  try {
    checkHostEnvironment(process.env);
  } catch (e) {
    if (!(e instanceof HandshakeError)) {
      throw e;
    }
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  const instances = new EngineInstances(createFlightSqlEngine, logger);
  let stopping = false;
  // Grafana stops a plugin with go-plugin's Kill: Shutdown over gRPC, then SIGKILL if the process is
  // still there 2 s later. Nothing is worth finishing by then: cancel, close, exit.
  const stop = (reason: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.log('info', 'plugin shutting down', { reason });
    server.stop();
    instances.closeAll();
    process.exit(0);
  };
  const server = await startPluginServer(instances, logger, () => stop('Shutdown requested by the host'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A go-plugin server ignores interrupts: Ctrl-C in Grafana's terminal reaches the whole process
  // group, and the host stops its plugins itself.
  process.on('SIGINT', () => logger.log('debug', 'plugin received interrupt signal, ignoring'));
  // Keep serving on a request's unexpected rejection rather than letting the host see a dead plugin.
  process.on('unhandledRejection', (reason) => logger.log('error', 'unhandled rejection', { error: String(reason) }));
  logger.log('info', 'plugin serving', { port: server.port, pid: process.pid });
  process.stdout.write(handshakeLine(server.port));
}

void main();
