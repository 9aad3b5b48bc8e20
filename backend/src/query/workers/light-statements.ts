import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ParseCache } from '../sql/parse-cache.js';

/**
 * Tells light statements (they read no table: `SELECT 1`, `SELECT now()`, a client's probe) from the
 * others, so light ones take the express lane and answer while heavy ones queue. Parsing only (DuckDB's
 * `json_serialize_sql` evaluates nothing), on a small DuckDB of its own.
 */
export class LightStatements {
  readonly #cache = new ParseCache();
  /** One statement at a time on the connection: a DuckDB connection runs one query at once. */
  #turn: Promise<unknown> = Promise.resolve();

  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  static async open(): Promise<LightStatements> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '64MB', enable_external_access: 'false' });
    return new LightStatements(instance, await instance.connect());
  }

  /** Whether `sql` reads no table; SQL that does not parse counts as light (its error comes at once). */
  isLight(sql: string): Promise<boolean> {
    const answer = this.#turn.then(async () => {
      try {
        return readsNoTable(await this.#cache.parse(this.connection, sql));
      } catch {
        return true;
      }
    });
    this.#turn = answer;
    return answer;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Every table a statement reads (views, table functions, DESCRIBE, PIVOT, joins, subqueries, CTEs)
 * sits under a `from_table`; a statement whose every `from_table` is EMPTY reads none.
 */
function readsNoTable(tree: unknown): boolean {
  if (Array.isArray(tree)) return tree.every(readsNoTable);
  if (typeof tree !== 'object' || tree === null) return true;
  return Object.entries(tree).every(([key, value]) =>
    key === 'from_table' ? (value as { type?: unknown } | null)?.type === 'EMPTY' : readsNoTable(value));
}
