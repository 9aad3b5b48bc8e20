import type { RecordBatch, Schema } from 'apache-arrow';

/** A query's time range: prunes partitions and filters rows by event time. Either end may be open. */
export interface TimeRange {
  begin?: Date;
  end?: Date;
}

export interface QueryOptions {
  range?: TimeRange;
  /** Keep dictionary-encoded string columns (clients that asked with `preserve_dictionary: true`). */
  preserveDictionary?: boolean;
  signal?: AbortSignal;
  /**
   * Whether the caller may run admin functions (it holds the admin role); default true for callers
   * in this process. FlightSQL and the gateway always say, from the caller's API key.
   */
  allowAdmin?: boolean;
}

export interface QueryResult {
  schema: Schema;
  /** Record batches in order; a large result is many batches, never one. */
  batches: AsyncIterable<RecordBatch>;
}

/** What FlightSQL and the HTTP gateway call: SQL in, Arrow out. */
export interface QueryEngine {
  /** The schema `sql` would produce, without streaming rows (FlightInfo.schema, prepared statements). */
  schema(sql: string, options?: QueryOptions): Promise<Schema>;
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  close(): Promise<void>;
}

export type QueryErrorCode =
  | 'invalid_argument' | 'permission_denied' | 'not_found' | 'internal' | 'cancelled'
  /** The statement ran past the server's statement timeout. */
  | 'deadline_exceeded'
  /** The server is busy (its queue of statements is full): retry later. */
  | 'resource_exhausted';

/** Typed engine error: `code` maps to a gRPC status / HTTP status, `message` is the engine's own words. */
export class QueryError extends Error {
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    readonly sql?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QueryError';
  }
}
