import { Binary, Field, Int32, Schema, Uint8, Utf8, type Data, type RecordBatch } from 'apache-arrow';
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

export const primaryKeysSchema = new Schema([
  new Field('catalog_name', new Utf8(), true),
  new Field('db_schema_name', new Utf8(), true),
  new Field('table_name', new Utf8(), false),
  new Field('column_name', new Utf8(), false),
  new Field('key_name', new Utf8(), true),
  new Field('key_sequence', new Int32(), false),
]);
/** Exported keys, imported keys and cross references share one shape. */
export const foreignKeysSchema = new Schema([
  new Field('pk_catalog_name', new Utf8(), true),
  new Field('pk_db_schema_name', new Utf8(), true),
  new Field('pk_table_name', new Utf8(), false),
  new Field('pk_column_name', new Utf8(), false),
  new Field('fk_catalog_name', new Utf8(), true),
  new Field('fk_db_schema_name', new Utf8(), true),
  new Field('fk_table_name', new Utf8(), false),
  new Field('fk_column_name', new Utf8(), false),
  new Field('key_sequence', new Int32(), false),
  new Field('fk_key_name', new Utf8(), true),
  new Field('pk_key_name', new Utf8(), true),
  new Field('update_rule', new Uint8(), false),
  new Field('delete_rule', new Uint8(), false),
]);

/** View sets have no primary or foreign keys: key queries answer no rows, in the expected shape. */
export function noRows(schema: Schema): RecordBatch {
  return batchOf(schema, schema.fields.map((field) => column(field.type, [])));
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
