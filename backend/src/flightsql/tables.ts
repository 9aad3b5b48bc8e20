import { DataType, Field, Schema, type Dictionary } from 'apache-arrow';
import type { ViewSetInfo } from '../views/catalog.js';

/** A table name SQL can use as is, with the schema its rows have. */
export interface TableInfo {
  name: string;
  schema: Schema;
}

/** What CommandGetTables lists; called per request so newly registered view sets show up. */
export type TableLister = () => TableInfo[] | Promise<TableInfo[]>;

/** The lakehouse's one catalog and schema: view sets are flat names in SQL. */
export const CATALOG_NAME = 'micromegas';
export const DB_SCHEMA_NAME = 'public';
export const TABLE_TYPE = 'TABLE';

/** Global view sets are the tables; per-instance sets are reached through view_instance() only. */
export function viewSetTables(viewSets: readonly ViewSetInfo[]): TableInfo[] {
  return viewSets.filter((set) => set.hasGlobal).map((set) => ({ name: set.name, schema: set.schema }));
}

/** The schema a client sees when it did not ask to keep dictionaries: strings come as plain values. */
export function withoutDictionaries(schema: Schema): Schema {
  if (!schema.fields.some((field) => DataType.isDictionary(field.type))) return schema;
  const fields = schema.fields.map((field) =>
    DataType.isDictionary(field.type)
      ? new Field(field.name, (field.type as Dictionary).dictionary, field.nullable, field.metadata)
      : field);
  return new Schema(fields, schema.metadata);
}

/** A FlightSQL filter pattern (SQL LIKE: % any run, _ one character); absent matches everything. */
export function likeMatcher(pattern: string | undefined): (value: string) => boolean {
  if (pattern === undefined) return () => true;
  const source = [...pattern]
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 's');
  return (value) => regex.test(value);
}
