// What the datasource needs from a FlightSQL connection; the implementation wraps @micromegas/flightsql-client.
import type { Table } from 'apache-arrow';
import type { QueryRange } from '../query/model.js';

export interface SqlEngine {
  query(sql: string, range?: QueryRange): Promise<Table>;
  /** The server's self-reported name and version (FlightSQL SqlInfo). */
  serverVersion(): Promise<string>;
  close(): void;
}

export interface ConnectionSettings {
  address: string;
  tls: boolean;
  apiKey?: string;
}

export type EngineFactory = (settings: ConnectionSettings) => SqlEngine;
