/**
 * One SQL interface over real PostgreSQL (`pg`) and embedded PGlite: every module above the lake
 * speaks PostgreSQL SQL through this and never knows which one it has.
 */
export type SqlValue = string | number | bigint | boolean | Date | Uint8Array | null | SqlValue[] | { [key: string]: unknown };

export interface SqlExecutor {
  /** Runs one parameterized statement ($1, $2, …) and returns its rows. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

export interface MetadataStore extends SqlExecutor {
  /** 'postgres' or 'pglite': for messages and the few places where the two differ. */
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back and rethrows when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Cheap round trip, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
