/**
 * SQL run over a table named `source` (a user view's SQL over its source view, a merge SQL over the
 * partitions it merges), with that table's columns typed as the view set's schema says, as queries
 * see them: the SQL behaves the same whatever types a particular Parquet file was written with.
 */
import type { Schema } from 'apache-arrow';
import { sqlTypeOf } from '../query/sql/arrow-to-sql-type.js';
import { quoteIdent, quoteString } from '../query/sql/text.js';

function castColumns(schema: Schema): string {
  return schema.fields.map((f) => `CAST(${quoteIdent(f.name)} AS ${sqlTypeOf(f.type)}) AS ${quoteIdent(f.name)}`).join(', ');
}

/** The rows of these local Parquet files, or a relation without rows when there are none. */
export function parquetFiles(schema: Schema, paths: readonly string[]): string {
  if (paths.length > 0) return `read_parquet([${paths.map(quoteString).join(', ')}])`;
  return `(SELECT ${schema.fields.map((f) => `NULL AS ${quoteIdent(f.name)}`).join(', ')} WHERE false)`;
}

/** `sql` with the table `source` bound to the relation `from`, whose columns are those of `schema`. */
export function overSource(schema: Schema, from: string, sql: string): string {
  return `WITH source AS (SELECT ${castColumns(schema)} FROM ${from})\nSELECT * FROM (\n${sql}\n) AS result`;
}

/** `select`'s columns named in `schema`, in its order and types (a sum's HUGEINT back to BIGINT). */
export function castTo(schema: Schema, select: string): string {
  return `SELECT ${castColumns(schema)} FROM (\n${select}\n) AS typed`;
}
