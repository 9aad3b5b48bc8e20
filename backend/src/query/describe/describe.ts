import type { Schema } from 'apache-arrow';
import type { SourceContext } from '../rewrite/context.js';
import type { AstNode } from '../sql/parser.js';
import { printStatements } from '../sql/parser.js';
import { relationSql, type Column } from '../sql/text.js';
import { describeType } from './type-names.js';

const DESCRIBE_COLUMNS: Column[] = [
  { name: 'column_name', sqlType: 'VARCHAR' },
  { name: 'data_type', sqlType: 'VARCHAR' },
  { name: 'is_nullable', sqlType: 'VARCHAR' },
];

/**
 * DESCRIBE <view> answers with the view set's declared schema (nullability and dictionary encoding
 * included); DESCRIBE <any other query> with the schema the query would return.
 */
export async function describeSql(query: AstNode, context: SourceContext): Promise<string> {
  const schema = describedView(query, context) ??
    await context.schemaOf(await printStatements(context.connection, [{ node: query, named_param_map: [] }]));
  return describeRelation(schema);
}

function describeRelation(schema: Schema): string {
  return relationSql(DESCRIBE_COLUMNS, schema.fields.map((f) => [f.name, describeType(f.type), f.nullable ? 'YES' : 'NO']));
}

/**
 * The view set of `SELECT * FROM <view set>` (how DuckDB parses `DESCRIBE <name>`, here also for sets
 * without a global instance) or of `SELECT * FROM view_instance('<set>', …)`, if that is the query.
 */
function describedView(query: AstNode, context: SourceContext): Schema | undefined {
  const from = query.from_table as AstNode | undefined;
  const list = query.select_list as AstNode[] | undefined;
  const plainStar = query.type === 'SELECT_NODE' && list?.length === 1 && list[0]!.class === 'STAR' &&
    !query.where_clause && (query.group_expressions as unknown[]).length === 0 && (query.modifiers as unknown[]).length === 0;
  if (!plainStar || !from) return undefined;
  return context.viewSets.get(viewSetName(from)?.toLowerCase() ?? '')?.schema;
}

function viewSetName(from: AstNode): string | undefined {
  if (from.type === 'BASE_TABLE' && !from.schema_name && !from.catalog_name) return String(from.table_name);
  const fn = from.function as AstNode | undefined;
  const [first] = (fn?.children as AstNode[] | undefined) ?? [];
  const constant = first?.class === 'CONSTANT' ? (first.value as { value: unknown }).value : undefined;
  if (from.type === 'TABLE_FUNCTION' && String(fn!.function_name).toLowerCase() === 'view_instance' && typeof constant === 'string') {
    return constant;
  }
  return undefined;
}
