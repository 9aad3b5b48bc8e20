/**
 * How a view column is read from a partition file: cast to the view set's declared type, or, for a
 * column stored as the JSON text of that type (ViewSetInfo.jsonColumns), decoded into it. Queries,
 * user views and merges then see the declared types whatever form the file holds.
 */
import { DataType, type Field, type Schema } from 'apache-arrow';
import { sqlTypeOf } from './arrow-to-sql-type.js';
import { quoteIdent, quoteString } from './text.js';

/** DuckDB's `from_json` structure for an Arrow type: lists as one-element arrays, structs as objects, the rest by type name. */
function jsonStructureOf(type: DataType): unknown {
  if (DataType.isDictionary(type)) return jsonStructureOf(type.dictionary);
  if (DataType.isList(type)) return [jsonStructureOf(type.children[0]!.type)];
  if (DataType.isStruct(type)) return Object.fromEntries(type.children.map((f) => [f.name, jsonStructureOf(f.type)]));
  return sqlTypeOf(type);
}

/** `field` read from a partition's column of the same name, typed as declared, aliased to its name. */
function storedColumnSql(field: Field, storedAsJson: boolean): string {
  const column = quoteIdent(field.name);
  const value = storedAsJson ? `from_json(${column}, ${quoteString(JSON.stringify(jsonStructureOf(field.type)))})` : column;
  return `CAST(${value} AS ${sqlTypeOf(field.type)}) AS ${column}`;
}

/** Every column of `schema` read that way, `jsonColumns` decoded: a SELECT list. */
export function storedColumnsSql(schema: Schema, jsonColumns: readonly string[] = []): string {
  return schema.fields.map((f) => storedColumnSql(f, jsonColumns.includes(f.name))).join(', ');
}
