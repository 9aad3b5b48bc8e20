// Grafana's server half of a query: POST /api/ds/query as the query service answers it (grafana
// pkg/services/query parseMetricRequest; pkg/api/ds_query toJsonStreamingResponse; sdk-go
// backend/json.go writeDataResponseJSON). The body the browser posted becomes one QueryData call to
// the plugin (refId default "A", maxDataPoints default 100, intervalMs default 1000, the time range
// from the body's from/to, the query object as the JSON model); each frame the plugin returns is read
// by the UnmarshalArrowFrame port and written back by the frame → JSON port; any query error makes
// the HTTP status 400, and the response is what the browser's fetch gets.
import type { DatasourceConfig, GrafanaHost } from '../grafanaHost';
import { unmarshalArrowFrame } from './arrowFrame';
import { frameToJson } from './frameJson';

export interface MetricRequest {
  queries: Array<Record<string, unknown>>;
  from?: string;
  to?: string;
}

export interface QueryServiceResponse {
  status: number;
  /** The JSON text the browser receives. */
  body: string;
}

export class QueryServiceError extends Error {
  constructor(message: string) {
    super(`/api/ds/query: ${message}`);
    this.name = 'QueryServiceError';
  }
}

/** gtime.NewTimeRange over epoch-millisecond strings (what DataSourceWithBackend sends). */
function epochMs(name: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new QueryServiceError(`${name} is ${JSON.stringify(value)}: the harness reads epoch milliseconds only`);
  }
  return Number(value);
}

function dataResponseJson(r: { error?: string; errorSource?: string; status?: number | string; frames: Uint8Array[] }): string {
  const parts: string[] = [];
  let status = typeof r.status === 'number' && r.status >= 100 && r.status < 600 ? r.status : 0;
  if (r.error) {
    parts.push(`"error":${JSON.stringify(r.error)}`, `"errorSource":${JSON.stringify(r.errorSource ?? '')}`);
    // sdk-go's statusFromError: a plain error is a 500.
    status ||= 500;
  }
  parts.push(`"status":${status || 200}`);
  if (r.frames.length > 0) {
    parts.push(`"frames":[${r.frames.map((f) => frameToJson(unmarshalArrowFrame(f))).join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

export async function queryService(host: GrafanaHost, config: DatasourceConfig, body: MetricRequest): Promise<QueryServiceResponse> {
  if (body.queries.length === 0) {
    throw new QueryServiceError('no queries found');
  }
  const from = epochMs('from', body.from);
  const to = epochMs('to', body.to);
  const responses = await host.queryData(
    config,
    body.queries.map((q) => ({
      refId: typeof q.refId === 'string' ? q.refId : 'A',
      model: q,
      from,
      to,
      intervalMS: typeof q.intervalMs === 'number' ? q.intervalMs : 1000,
      maxDataPoints: typeof q.maxDataPoints === 'number' ? q.maxDataPoints : 100,
    })),
  );
  const entries = Object.entries(responses);
  const results = entries.map(([refId, r]) => `${JSON.stringify(refId)}:${dataResponseJson(r)}`);
  return {
    status: entries.some(([, r]) => r.error) ? 400 : 200,
    body: `{"results":{${results.join(',')}}}`,
  };
}
