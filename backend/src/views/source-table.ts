/**
 * SQL run over a table named `source` (a user view's SQL over its source view, a merge SQL over the
 * partitions it merges), with that table's columns typed as the view set's schema says, as queries
 * see them: the SQL behaves the same whatever types a particular Parquet file was written with.
 */
import { Field, Schema, Utf8 } from 'apache-arrow';
import { storedColumnsSql } from '../query/sql/stored-column.js';
import { quoteIdent, quoteString } from '../query/sql/text.js';
import type { ViewSetInfo } from './catalog.js';

/** The rows of these local Parquet files, or a relation without rows when there are none. */
export function parquetFiles(schema: Schema, paths: readonly string[]): string {
  if (paths.length > 0) return `read_parquet([${paths.map(quoteString).join(', ')}])`;
  return `(SELECT ${schema.fields.map((f) => `NULL AS ${quoteIdent(f.name)}`).join(', ')} WHERE false)`;
}

/**
 * `sql` with the table `source` bound to the relation `from`, whose columns are those of `schema`
 * (`jsonColumns`: stored as JSON text, decoded).
 */
export function overSource(schema: Schema, from: string, sql: string, jsonColumns: readonly string[] = []): string {
  return `WITH source AS (SELECT ${storedColumnsSql(schema, jsonColumns)} FROM ${from})\nSELECT * FROM (\n${sql}\n) AS result`;
}

/** The schema of `info`'s partition files: its JSON-stored columns as text (what merges copy as they are). */
export function storedSchema(info: ViewSetInfo): Schema {
  const json = info.jsonColumns ?? [];
  if (json.length === 0) return info.schema;
  return new Schema(info.schema.fields.map((f) => (json.includes(f.name) ? new Field(f.name, new Utf8(), f.nullable) : f)), info.schema.metadata);
}

/** `select`'s columns named in `schema`, in its order and types (a sum's HUGEINT back to BIGINT). */
export function castTo(schema: Schema, select: string): string {
  return `SELECT ${storedColumnsSql(schema)} FROM (\n${select}\n) AS typed`;
}
