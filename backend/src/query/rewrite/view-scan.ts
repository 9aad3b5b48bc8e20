import { QueryError } from '../engine.js';
import { sqlTypeOf } from '../sql/arrow-to-sql-type.js';
import { storedColumnsSql } from '../sql/stored-column.js';
import { fillPlaceholders } from '../sql/parse-cache.js';
import type { TimeRange } from '../engine.js';
import type { Statement } from '../sql/parser.js';
import { instantText, quoteIdent, relationSql } from '../sql/text.js';
import type { SourceContext } from './context.js';

const FILES = 'mm:files';
const BEGIN = 'mm:begin';
const END = 'mm:end';

/**
 * The query scanning one view instance: its Parquet partitions (brought up to date for the query's
 * time range by the catalog, which also prunes them), rows filtered to the range on the view set's
 * time column, columns cast to the view set's types. The filter sits on the raw Parquet columns so
 * DuckDB pushes it into the scan and skips row groups by their statistics. The SQL shape is parsed once
 * per view set and range kind, then filled in. A rollup (./rollup.ts) scans parts of the query's range,
 * and reads its derived set without giving that set's column types to the result (`hints: false`).
 */
export async function viewScan(
  context: SourceContext, viewSetName: string, instanceId: string,
  { range = context.range, hints = true }: { range?: TimeRange; hints?: boolean } = {},
): Promise<Statement> {
  const viewSet = context.viewSets.get(viewSetName.toLowerCase());
  if (!viewSet) {
    throw new QueryError('not_found', `unknown view set '${viewSetName}': known are ${[...context.viewSets.keys()].sort().join(', ')}`);
  }
  if (instanceId === 'global' && !viewSet.hasGlobal) {
    throw new QueryError('not_found', `view set ${viewSet.name} has no global instance: give a ${viewSet.instanceKind}`);
  }
  const columns = viewSet.schema.fields.map((f) => ({ name: f.name, sqlType: sqlTypeOf(f.type) }));
  if (hints) for (const field of viewSet.schema.fields) context.columnHints.add(field.name, field.type);
  if (context.planOnly) return context.parseCache.parse(context.connection, relationSql(columns, []));

  const files = await context.catalog.partitionsFor(viewSet.name, instanceId, range);
  if (files.length === 0) return context.parseCache.parse(context.connection, relationSql(columns, []));
  const { end } = range;
  const time = quoteIdent(viewSet.timeColumn);
  // Rows that are time bins stand for [time, time + bin): a bin starting less than a bin before the range meets it.
  const binMs = viewSet.timeBinMs ?? 0;
  const begin = range.begin && new Date(range.begin.getTime() - binMs);
  const filters = [
    begin && `${time} ${binMs > 0 ? '>' : '>='} CAST('${BEGIN}' AS TIMESTAMP_NS)`,
    end && `${time} < CAST('${END}' AS TIMESTAMP_NS)`,
  ].filter(Boolean);
  const shape = `SELECT ${storedColumnsSql(viewSet.schema, viewSet.jsonColumns)} FROM read_parquet(['${FILES}'])` +
    (filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '');
  const scan = await context.parseCache.parse(context.connection, shape);
  fillPlaceholders(scan, { [FILES]: files.map((f) => f.path) }, {
    ...(begin ? { [BEGIN]: instantText(begin) } : {}),
    ...(end ? { [END]: instantText(end) } : {}),
  });
  return scan;
}
