import { DataType } from 'apache-arrow';
import { QueryError } from '../engine.js';
import { sqlTypeOf } from '../sql/arrow-to-sql-type.js';
import { quoteIdent, quoteString, relationSql, timestampLiteral } from '../sql/text.js';
import type { SourceContext } from './context.js';

/**
 * The SQL scanning one view instance: its Parquet partitions (brought up to date for the query's
 * time range by the catalog, which also prunes them), rows filtered to the range on the view set's
 * time column, columns cast to the view set's types. The filter sits on the raw Parquet columns so
 * DuckDB pushes it into the scan and skips row groups by their statistics.
 */
export async function viewScanSql(context: SourceContext, viewSetName: string, instanceId: string): Promise<string> {
  const viewSet = context.viewSets.get(viewSetName.toLowerCase());
  if (!viewSet) {
    throw new QueryError('not_found', `unknown view set '${viewSetName}': known are ${[...context.viewSets.keys()].sort().join(', ')}`);
  }
  if (instanceId === 'global' && !viewSet.hasGlobal) {
    throw new QueryError('not_found', `view set ${viewSet.name} has no global instance: give a ${viewSet.instanceKind}`);
  }
  const columns = viewSet.schema.fields.map((f) => ({ name: f.name, sqlType: sqlTypeOf(f.type) }));
  for (const field of viewSet.schema.fields) if (DataType.isDictionary(field.type)) context.dictionaryColumns.add(field.name);
  if (context.planOnly) return relationSql(columns, []);

  const files = await context.catalog.partitionsFor(viewSet.name, instanceId, context.range);
  if (files.length === 0) return relationSql(columns, []);
  const projection = columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.sqlType}) AS ${quoteIdent(c.name)}`);
  const time = quoteIdent(viewSet.timeColumn);
  const filters = [
    context.range.begin && `${time} >= ${timestampLiteral(context.range.begin)}`,
    context.range.end && `${time} < ${timestampLiteral(context.range.end)}`,
  ].filter(Boolean);
  const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
  return `SELECT ${projection.join(', ')} FROM read_parquet([${files.map((f) => quoteString(f.path)).join(', ')}])${where}`;
}
