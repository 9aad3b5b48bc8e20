import { parseOptions, UsageError, type Command } from '../command.js';
import { ConfigError, loadConfig } from '@micromegas/backend/config';
import { roles } from '@micromegas/backend/service/roles';
import { startServices, stopOnSignals, UnknownRoleError } from '@micromegas/backend/service/services';
import { DataDirLockedError } from '@micromegas/backend/lake/metadata/data-dir-lock';
import { generateApiKey } from '@micromegas/backend/auth/api-key';
import { sdkSelfTelemetry, SelfTelemetryStart } from '../self-telemetry.js';

export const command: Command = {
  summary: 'run the backend services (default: all roles, on embedded PGlite and ./data)',
  usage: `micromegas start [--roles ${Object.keys(roles).join(',')}]`,
  async run(args) {
    const values = parseOptions(args, { roles: { type: 'string' } });
    const roleNames = values.roles === undefined ? Object.keys(roles) : values.roles.split(',').map((r) => r.trim()).filter(Boolean);
    if (roleNames.length === 0) throw new UsageError('--roles needs at least one role');

    let config;
    try {
      config = loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) { console.error(`micromegas start: ${err.message}`); return 2; }
      throw err;
    }
    // The backend's own telemetry to its own ingestion: a key of this process only, never stored.
    const selfKey = generateApiKey();
    const selfTelemetry = new SelfTelemetryStart(config.selfTelemetry, roleNames, selfKey);
    let services;
    try {
      services = await startServices(config, roleNames, {
        telemetry: sdkSelfTelemetry, onStarting: selfTelemetry.onStarting,
        processKeys: [{ key: selfKey, name: 'self-telemetry', role: 'ingest' }],
      });
    } catch (err) {
      if (err instanceof UnknownRoleError) throw new UsageError(err.message);
      if (err instanceof ConfigError) { console.error(`micromegas start: ${err.message}`); return 2; }
      if (err instanceof DataDirLockedError) { console.error(`micromegas start: ${err.message}`); return 1; }
      throw err;
    }
    // Before anything is printed: whoever reads the addresses may signal at once.
    const stopped = new Promise<number>((resolve) => stopOnSignals(services, () => resolve(0)));
    const metadata = config.lake.metadata.kind === 'pglite' ? `PGlite in ${config.lake.metadata.dataDir}` : 'PostgreSQL';
    console.log(`micromegas: metadata in ${metadata}, objects in ${config.lake.objectStoreUri}`);
    const listens = (role: { url: string }) => /^\w[\w+.-]*:\/\//.test(role.url);
    if (services.running.some(listens)) console.log(`micromegas: ${(await services.auth()).description}`);
    for (const role of services.running) {
      const where = listens(role) ? `listening on ${role.url}` : role.url;
      console.log(`micromegas: ${role.name.padEnd(12)} ${where}`);
    }
    const { url } = selfTelemetry;
    console.log(`micromegas: self-telemetry ${url === undefined ? 'off' : `to ${url} (exe micromegas)`}`);

    return stopped;
  },
};
