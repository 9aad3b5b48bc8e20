// Resource.CallResource: small JSON endpoints the frontend editors call through Grafana's
// /api/datasources/uid/<uid>/resources/<path>.
import type { Table } from 'apache-arrow';
import type { SqlEngine } from '../flightsql/engine.js';
import type { CallContext } from '../protocol/call.js';
import type { CallResourceRequest, CallResourceResponse } from '../protocol/messages.js';
import type { EngineInstances } from '../instances.js';
import { readSettings } from '../settings.js';

const json = (code: number, body: unknown): CallResourceResponse => ({
  code,
  headers: { 'Content-Type': { values: ['application/json'] } },
  body: Buffer.from(JSON.stringify(body)),
});

function firstColumn(table: Table): string[] {
  const column = table.getChildAt(0);
  return column ? Array.from(column, (v) => String(v)) : [];
}

/** Route → handler; each takes the request's engine and returns the JSON body. */
const ROUTES: Record<string, (engine: SqlEngine, signal: AbortSignal) => Promise<unknown>> = {
  // View sets the SQL can name (global views and those reached through view_instance).
  'view-sets': async (engine, signal) =>
    firstColumn(await engine.query('SELECT view_set_name FROM list_view_sets() ORDER BY 1', undefined, signal)),
  version: async (engine, signal) => ({ version: await engine.serverVersion(signal) }),
};

export function createCallResource(instances: EngineInstances) {
  return async (request: CallResourceRequest, call: CallContext): Promise<CallResourceResponse> => {
    const route = ROUTES[request.path.replace(/^\/+|\/+$/g, '')];
    if (!route) {
      return json(404, { error: `no resource "${request.path}" (known: ${Object.keys(ROUTES).join(', ')})` });
    }
    try {
      const settings = readSettings(request.pluginContext);
      return json(200, await instances.with(settings, call.tenantId, (engine) => route(engine, call.signal)));
    } catch (e) {
      return json(500, { error: (e as Error).message });
    }
  };
}
