// The decoded shapes of the pluginv2 messages we read and write (proto-loader: keepCase, longs as numbers).

export interface DataSourceInstanceSettings {
  id: number;
  uid: string;
  name: string;
  url: string;
  jsonData: Buffer;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: number;
}

export interface PluginContext {
  orgId: number;
  pluginId: string;
  dataSourceInstanceSettings: DataSourceInstanceSettings | null;
  /** Grafana's settings for plugins (GF_* keys); a change replaces the datasource instances. */
  grafanaConfig: Record<string, string>;
}

export interface TimeRange {
  fromEpochMS: number;
  toEpochMS: number;
}

export interface DataQuery {
  refId: string;
  maxDataPoints: number;
  intervalMS: number;
  timeRange: TimeRange | null;
  json: Buffer;
  queryType: string;
}

export type DataFrameFormat = 'ARROW' | 'JSON';

export interface QueryDataRequest {
  pluginContext: PluginContext | null;
  queries: DataQuery[];
  format: DataFrameFormat;
}

/** Who an error is attributed to, in Grafana's terms (sdk-go's ErrorSource). */
export type ErrorSource = 'downstream' | 'plugin';

export interface DataResponse {
  frames: Uint8Array[];
  error: string;
  status: number;
  errorSource: ErrorSource | '';
  format: DataFrameFormat;
}

export interface CheckHealthResponse {
  status: 'UNKNOWN' | 'OK' | 'ERROR';
  message: string;
  jsonDetails: Buffer;
}

export interface CallResourceRequest {
  pluginContext: PluginContext | null;
  path: string;
  method: string;
  url: string;
  body: Buffer;
}

export interface CallResourceResponse {
  code: number;
  headers: Record<string, { values: string[] }>;
  body: Buffer;
}
