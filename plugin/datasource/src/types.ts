// Query and settings models shared by the frontend (editors) and the backend component.
import type { DataQuery, DataSourceJsonData } from '@grafana/schema';
import type { BuilderModel } from './builder/sql';

export const FORMATS = ['table', 'time_series', 'logs', 'traces', 'flame_graph'] as const;
export type Format = (typeof FORMATS)[number];

export interface MicromegasQuery extends DataQuery {
  rawSql: string;
  format: Format;
  /** Send the dashboard's time range as query_range_begin/end, so the lake prunes partitions by time. */
  timeFilter?: boolean;
  /** Bound the result to the panel's max data points when the SQL has no LIMIT. */
  autoLimit?: boolean;
  /** The builder writes rawSql from its model; the backend only ever reads rawSql. */
  editorMode?: 'code' | 'builder';
  builder?: BuilderModel;
}

export const DEFAULT_QUERY: Partial<MicromegasQuery> = {
  rawSql: 'SELECT time, level, target, msg FROM log_entries WHERE $__timeFilter(time) ORDER BY time DESC',
  format: 'table',
  autoLimit: true,
};

export interface MicromegasDataSourceOptions extends DataSourceJsonData {
  /** FlightSQL endpoint, host:port. */
  address?: string;
  tls?: boolean;
  /** Default of the per-query time-filter switch. */
  timeFilterDefault?: boolean;
}

export interface MicromegasSecureJsonData {
  apiKey?: string;
}

/** Variable query model (metricFindQuery): the first column's values become the options. */
export interface MicromegasVariableQuery {
  rawSql: string;
  /** As for panel queries: send the dashboard's range (default: the datasource's timeFilterDefault). */
  timeFilter?: boolean;
}
