/**
 * What ETL hands to the Parquet writer: plain tables of typed arrays, named so that the view's SQL
 * can join them into the view's shape. Nothing here knows about DuckDB.
 */

export type StagedColumn =
  | { name: string; type: 'INTEGER'; values: Int32Array }
  | { name: string; type: 'UINTEGER'; values: Uint32Array }
  | { name: string; type: 'DOUBLE'; values: Float64Array }
  | { name: string; type: 'BIGINT'; values: BigInt64Array }
  | {
    name: string; type: 'VARCHAR'; values: readonly string[];
    /**
     * Few distinct values, each repeated on many result rows (a process's or a block's ids): staged
     * as a dictionary, so that Parquet writes it without hashing every row's string.
     */
    dictionary?: boolean;
  };

export interface StagedTable {
  name: string;
  columns: readonly StagedColumn[];
}

export function stagedRowCount(table: StagedTable): number {
  return table.columns[0]?.values.length ?? 0;
}
