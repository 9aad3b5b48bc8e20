// What the datasource needs from a FlightSQL connection; the implementation wraps @micromegas/flightsql-client.
import type { Table } from 'apache-arrow';
import type { QueryRange } from '../query/model.js';

export interface SqlEngine {
  /** Aborting `signal` cancels the FlightSQL calls, so the server stops the query. */
  query(sql: string, range?: QueryRange, signal?: AbortSignal): Promise<Table>;
  /** The server's self-reported name and version (FlightSQL SqlInfo). */
  serverVersion(signal?: AbortSignal): Promise<string>;
  close(): void;
}

export interface ConnectionSettings {
  address: string;
  tls: boolean;
  apiKey?: string;
}

export type EngineFactory = (settings: ConnectionSettings) => SqlEngine;

/** A failure the FlightSQL server reported or caused, with the HTTP status Grafana shows for it. */
export class DownstreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownstreamError';
  }
}
