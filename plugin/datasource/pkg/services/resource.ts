// Resource.CallResource: small JSON endpoints the frontend editors call through Grafana's
// /api/datasources/uid/<uid>/resources/<path>.
import type { Table } from 'apache-arrow';
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
const ROUTES: Record<string, (engine: ReturnType<EngineInstances['get']>) => Promise<unknown>> = {
  // View sets the SQL can name (global views and those reached through view_instance).
  'view-sets': async (engine) => firstColumn(await engine.query('SELECT view_set_name FROM list_view_sets() ORDER BY 1')),
  version: async (engine) => ({ version: await engine.serverVersion() }),
};

export function createCallResource(instances: EngineInstances) {
  return async (request: CallResourceRequest): Promise<CallResourceResponse> => {
    const route = ROUTES[request.path.replace(/^\/+|\/+$/g, '')];
    if (!route) {
      return json(404, { error: `no resource "${request.path}" (known: ${Object.keys(ROUTES).join(', ')})` });
    }
    try {
      const engine = instances.get(readSettings(request.pluginContext));
      return json(200, await route(engine));
    } catch (e) {
      return json(500, { error: (e as Error).message });
    }
  };
}
