import type duckdb from '@duckdb/node-bindings';
import type { Data, DataType } from 'apache-arrow';

/**
 * Accumulates one result column, DuckDB vector by DuckDB vector, into Arrow buffers.
 * Vectors are flat (the C API flattens result chunks); `size` is how many entries the vector holds, and
 * [start, start + count) the slice to append (list children are appended by slices).
 */
export interface ColumnBuilder {
  readonly type: DataType;
  append(vector: duckdb.Vector, size: number, start: number, count: number): void;
  /** The rows appended since the last take, as Arrow data; the builder starts over. */
  take(): Data;
}
