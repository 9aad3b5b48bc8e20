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

export interface QueryDataRequest {
  pluginContext: PluginContext | null;
  queries: DataQuery[];
}

export interface DataResponse {
  frames: Uint8Array[];
  error: string;
  status: number;
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
