// Diagnostics.CheckHealth: connect, run a trivial query, and report the server's version or the exact error.
import type { CallContext } from '../protocol/call.js';
import type { CheckHealthResponse, PluginContext } from '../protocol/messages.js';
import type { EngineInstances } from '../instances.js';
import { readSettings } from '../settings.js';

export function createCheckHealth(instances: EngineInstances) {
  return async (request: { pluginContext: PluginContext | null }, call: CallContext): Promise<CheckHealthResponse> => {
    let address = '(not configured)';
    try {
      const settings = readSettings(request.pluginContext);
      address = settings.connection.address;
      const version = await instances.with(settings, call.tenantId, async (engine) => {
        const probe = await engine.query('SELECT 1 AS ok', undefined, call.signal);
        if (probe.numRows !== 1) {
          throw new Error(`probe query returned ${probe.numRows} rows, expected 1`);
        }
        return engine.serverVersion(call.signal);
      });
      const details = { address, version };
      return { status: 'OK', message: `Connected to ${address}: ${version}`, jsonDetails: Buffer.from(JSON.stringify(details)) };
    } catch (e) {
      const error = (e as Error).message;
      return {
        status: 'ERROR',
        message: `FlightSQL at ${address}: ${error}`,
        jsonDetails: Buffer.from(JSON.stringify({ address, error })),
      };
    }
  };
}
