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
  const instances = new EngineInstances(createFlightSqlEngine);
  let stopping = false;
  const stop = async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.log('info', 'plugin shutting down');
    instances.closeAll();
    await server.shutdown();
    process.exit(0);
  };
  const server = await startPluginServer(instances, logger, () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // Keep serving on a request's unexpected rejection rather than letting the host see a dead plugin.
  process.on('unhandledRejection', (reason) => logger.log('error', 'unhandled rejection', { error: String(reason) }));
  logger.log('info', 'plugin serving', { port: server.port, pid: process.pid });
  process.stdout.write(handshakeLine(server.port));
}

void main();
