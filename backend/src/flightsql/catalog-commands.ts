import { Binary, Field, Schema, Utf8, type Data, type RecordBatch } from 'apache-arrow';
import { serializeSchema, type CommandGetDbSchemas, type CommandGetTables } from '@micromegas/flightsql-client';
import { batchOf, column } from './metadata-batch.js';
import {
  CATALOG_NAME, DB_SCHEMA_NAME, likeMatcher, TABLE_TYPE, withoutDictionaries, type TableLister,
} from './tables.js';

// Result schemas as the FlightSQL specification fixes them.
export const catalogsSchema = new Schema([new Field('catalog_name', new Utf8(), false)]);
export const dbSchemasSchema = new Schema([
  new Field('catalog_name', new Utf8(), true),
  new Field('db_schema_name', new Utf8(), false),
]);
export const tableTypesSchema = new Schema([new Field('table_type', new Utf8(), false)]);
export function tablesSchema(includeSchema: boolean): Schema {
  const fields = [
    new Field('catalog_name', new Utf8(), true),
    new Field('db_schema_name', new Utf8(), true),
    new Field('table_name', new Utf8(), false),
    new Field('table_type', new Utf8(), false),
  ];
  return new Schema(includeSchema ? [...fields, new Field('table_schema', new Binary(), false)] : fields);
}

/** A catalog filter: absent means any; "" means tables without a catalog, and ours all have one. */
const catalogMatches = (catalog: string | undefined) => catalog === undefined || catalog === CATALOG_NAME;

export function catalogs(): RecordBatch {
  return batchOf(catalogsSchema, [column(new Utf8(), [CATALOG_NAME])]);
}

export function dbSchemas(command: CommandGetDbSchemas): RecordBatch {
  const matches = catalogMatches(command.catalog) && likeMatcher(command.db_schema_filter_pattern)(DB_SCHEMA_NAME);
  const rows = matches ? [DB_SCHEMA_NAME] : [];
  return batchOf(dbSchemasSchema, [column(new Utf8(), rows.map(() => CATALOG_NAME)), column(new Utf8(), rows)]);
}

export function tableTypes(): RecordBatch {
  return batchOf(tableTypesSchema, [column(new Utf8(), [TABLE_TYPE])]);
}

export async function tables(command: CommandGetTables, list: TableLister, preserveDictionary: boolean): Promise<RecordBatch> {
  const inScope = catalogMatches(command.catalog)
    && likeMatcher(command.db_schema_filter_pattern)(DB_SCHEMA_NAME)
    && (command.table_types.length === 0 || command.table_types.includes(TABLE_TYPE));
  const nameMatches = likeMatcher(command.table_name_filter_pattern);
  const found = inScope ? (await list()).filter((t) => nameMatches(t.name)).sort((a, b) => a.name.localeCompare(b.name)) : [];
  const columns: Data[] = [
    column(new Utf8(), found.map(() => CATALOG_NAME)),
    column(new Utf8(), found.map(() => DB_SCHEMA_NAME)),
    column(new Utf8(), found.map((t) => t.name)),
    column(new Utf8(), found.map(() => TABLE_TYPE)),
  ];
  if (command.include_schema) {
    const schemaOf = (s: Schema) => serializeSchema(preserveDictionary ? s : withoutDictionaries(s));
    columns.push(column(new Binary(), found.map((t) => schemaOf(t.schema))));
  }
  return batchOf(tablesSchema(command.include_schema), columns);
}
