/**
 * One SQL interface over real PostgreSQL (`pg`) and embedded PGlite: every module above the lake
 * speaks PostgreSQL SQL through this and never knows which one it has.
 */
export type SqlValue = string | number | bigint | boolean | Date | Uint8Array | null | SqlValue[] | { [key: string]: unknown };

export interface SqlExecutor {
  /** Runs one parameterized statement ($1, $2, …) and returns its rows. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

/**
 * Open one with `openMetadataStore` (./open.ts), which also applies the migrations. Both drivers
 * return the same JS values: bigint columns as a number when safe, a bigint beyond; timestamptz as
 * Date (microseconds: see the `*_ns` columns); bytea as Uint8Array; jsonb parsed; arrays as arrays.
 * Pass jsonb parameters as JSON text (`JSON.stringify`), since a JS array would become a SQL array.
 */
export interface MetadataStore extends SqlExecutor {
  /** 'postgres' or 'pglite': for messages and the few places where the two differ. */
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back and rethrows when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Cheap round trip, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
