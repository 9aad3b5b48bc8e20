import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * What each function name stands for in DuckDB, all overloads together: an aggregate, a scalar
 * function that gives one answer per input within a statement (`+`, round, time_bucket, now), or
 * anything else (volatile functions such as random, macros, table functions). A rollup
 * (./rollup.ts) keeps only expressions whose value it can tell is the same over bins as over rows.
 */
export type FunctionKind = 'aggregate' | 'deterministic' | 'other';

const KINDS_SQL = `SELECT lower(function_name) AS name,
  bool_and(function_type = 'aggregate') AS aggregate,
  bool_and(function_type = 'scalar' AND stability IN ('CONSISTENT', 'CONSISTENT_WITHIN_QUERY')) AS deterministic
  FROM duckdb_functions() GROUP BY 1`;

/** Read once per engine, from its first connection that asks (the engine's macros included). */
export class FunctionKinds {
  #kinds: Promise<ReadonlyMap<string, FunctionKind>> | undefined;

  of(connection: DuckDBConnection): Promise<ReadonlyMap<string, FunctionKind>> {
    this.#kinds ??= load(connection).catch((error: unknown) => {
      this.#kinds = undefined;
      throw error;
    });
    return this.#kinds;
  }
}

async function load(connection: DuckDBConnection): Promise<ReadonlyMap<string, FunctionKind>> {
  const rows = (await connection.runAndReadAll(KINDS_SQL)).getRowObjects();
  return new Map(rows.map((r) => [String(r['name']), r['aggregate'] === true ? 'aggregate' : r['deterministic'] === true ? 'deterministic' : 'other']));
}
