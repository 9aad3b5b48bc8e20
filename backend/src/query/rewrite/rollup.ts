/**
 * Aggregate navigation. A query aggregating a view set that a summary set rolls up (measures by
 * measure_stats' seconds, log_entries by log_stats' minutes: ViewSetInfo.rollup) reads the summary's
 * bins for the whole bins of its time range, and the source's rows only for the partial bins at
 * either end; its aggregates combine the bins' partial ones (count → sum of counts, avg → sum of
 * sums / sum of counts). A dashboard's frame time per 10 s over five minutes of a 1,000-process fleet
 * then reads about 900 k bins instead of 54 M measures.
 *
 * It applies only where the answer is the same (./rollup-expressions.ts tells which expressions
 * are), and the query's time conditions are constants it can read (the query's range, and
 * comparisons of the time with timestamp literals in WHERE); otherwise the query reads the source.
 * Result names and types do not change: a rewritten select item keeps the name DuckDB gave it.
 * Sums of floating-point values are added in another order, so they may differ in the last bits,
 * as they do between two runs of DuckDB's parallel aggregation.
 */
import { JSONStringify } from 'json-with-bigint';
import type { TimeRange } from '../engine.js';
import type { ViewSetInfo } from '../../views/catalog.js';
import { printStatements, type AstNode, type Statement } from '../sql/parser.js';
import { quoteIdent } from '../sql/text.js';
import type { SourceContext } from './context.js';
import type { SourceSite } from './find-sources.js';
import { planBins, spanRange, withRange, type BinPlan, type Bounds } from './rollup-bounds.js';
import { COMBINED_SQL, NotRollable, ROLLUP_COLUMNS, RollupExpressions, type RollupShape } from './rollup-expressions.js';
import type { Templates } from './templates.js';
import { viewScan } from './view-scan.js';

const SUMMARY = '__mm_summary';
const EDGE = '__mm_edge';
const ALLOWED_MODIFIERS = new Set(['ORDER_MODIFIER', 'LIMIT_MODIFIER', 'DISTINCT_MODIFIER']);
/** A time_bucket width's months, days and microseconds (the width as DuckDB printed it): months are whole, the rest must be whole bins. */
const widthSql = (width: string) => `SELECT datepart('year', i) * 12 + datepart('month', i) AS months, datepart('day', i) AS days,
  datepart('hour', i)::BIGINT * 3600000000 + datepart('minute', i)::BIGINT * 60000000 + datepart('microseconds', i) AS us
  FROM (SELECT CAST((${width}) AS INTERVAL) AS i)`;

/**
 * When the SELECT reading `site` can read its source's summary instead: rewrites that SELECT's
 * expressions and returns the relation to put in the source's place (bins of the summary and of the
 * edges: the dimensions and ROLLUP_COLUMNS). Otherwise leaves the query as it is.
 */
export async function rollupScan(site: SourceSite, context: SourceContext, templates: Templates): Promise<Statement | undefined> {
  if (context.planOnly || !context.rollups || site.source.kind !== 'view' || site.key !== 'from_table') return undefined;
  const select = site.holder as AstNode;
  if (Array.isArray(select) || select.type !== 'SELECT_NODE') return undefined;
  const sourceName = site.source.viewSet.toLowerCase();
  const source = context.viewSets.get(sourceName);
  const summary = [...context.viewSets.values()].find((v) => v.rollup?.source === sourceName && v.timeBinMs !== undefined);
  if (!source || !summary?.rollup || (site.node.column_name_alias as unknown[] | undefined ?? []).length > 0 || site.node.sample) return undefined;

  const shape: RollupShape = {
    source, rollup: summary.rollup, binMs: summary.timeBinMs!, alias: String(site.node.alias || site.node.table_name),
    kinds: await context.functionKinds.of(context.connection),
    combined: (await context.parseCache.parse(context.connection, COMBINED_SQL)).node.select_list as AstNode[],
  };
  const expressions = new RollupExpressions(shape);
  const draft = structuredClone(select);
  let split: { bounds: Bounds; timeConditions: AstNode[] };
  try {
    split = rewriteSelect(draft, expressions);
  } catch (error) {
    if (error instanceof NotRollable) return undefined;
    throw error;
  }
  const bins = planBins(withRange(split.bounds, context.range), BigInt(shape.binMs) * 1_000_000n);
  if (!bins) return undefined;
  for (const width of expressions.intervals) if (!(await wholeBins(width, shape.binMs, context, templates))) return undefined;

  await keepNames(select, draft, context, templates);
  const relation = await binsRelation(shape, summary, bins, split.timeConditions, select.where_clause as AstNode, context, templates);
  // The source's column types still shape the result, as they would have without the rollup.
  for (const field of source.schema.fields) context.columnHints.add(field.name, field.type);
  Object.assign(select, draft);
  return relation;
}

/** Rewrites `draft`'s expressions over the bins; its time conditions leave WHERE and are returned as bounds. */
function rewriteSelect(draft: AstNode, expressions: RollupExpressions): { bounds: Bounds; timeConditions: AstNode[] } {
  if (draft.sample || draft.qualify || (draft.group_sets as unknown[]).length > 1 ||
    !['STANDARD_HANDLING', 'FORCE_AGGREGATES'].includes(String(draft.aggregate_handling))) {
    throw new NotRollable('SELECT with QUALIFY, SAMPLE or grouping sets');
  }
  const bounds: Bounds = { lower: [], upper: [] };
  const timeConditions: AstNode[] = [];
  const kept: AstNode[] = [];
  for (const conjunct of conjuncts(draft.where_clause as AstNode | null)) {
    const found = expressions.timeBounds(conjunct);
    if (found) {
      bounds.lower.push(...found.lower);
      bounds.upper.push(...found.upper);
      timeConditions.push(conjunct);
    } else {
      kept.push(expressions.dimensionsOnly(conjunct));
    }
  }
  draft.where_clause = and(kept, draft.where_clause as AstNode | null);
  draft.select_list = (draft.select_list as AstNode[]).map((e) => expressions.select(e));
  draft.group_expressions = (draft.group_expressions as AstNode[]).map((e) => expressions.select(e));
  if (draft.having) draft.having = expressions.select(draft.having as AstNode);
  for (const modifier of draft.modifiers as AstNode[]) {
    if (!ALLOWED_MODIFIERS.has(String(modifier.type))) throw new NotRollable(`${String(modifier.type)}`);
    for (const order of (modifier.orders as AstNode[] | undefined) ?? []) {
      if (!isOrderByAll(order.expression as AstNode)) order.expression = expressions.select(order.expression as AstNode);
    }
    for (const key of ['limit', 'offset'] as const) if (modifier[key]) modifier[key] = expressions.select(modifier[key] as AstNode);
    if (modifier.distinct_on_targets) modifier.distinct_on_targets = (modifier.distinct_on_targets as AstNode[]).map((e) => expressions.select(e));
  }
  if (expressions.aggregates === 0 && (draft.group_expressions as AstNode[]).length === 0) throw new NotRollable('no aggregate');
  return { bounds, timeConditions };
}

/** ORDER BY ALL: the select list's columns, whatever they compute. */
function isOrderByAll(expr: AstNode): boolean {
  return expr.class === 'STAR' && !expr.relation_name && expr.expr === null &&
    ['exclude_list', 'replace_list', 'qualified_exclude_list', 'rename_list'].every((key) => ((expr[key] as unknown[] | undefined) ?? []).length === 0);
}

function conjuncts(where: AstNode | null): AstNode[] {
  if (!where) return [];
  return where.class === 'CONJUNCTION' && where.type === 'CONJUNCTION_AND' ? (where.children as AstNode[]).flatMap(conjuncts) : [where];
}

/** The conjunction of `parts`; with more than one, `where` is an AND (they came from it) whose node is reused. */
function and(parts: AstNode[], where: AstNode | null): AstNode | null {
  if (parts.length <= 1) return parts[0] ?? null;
  return { ...structuredClone(where!), children: parts.map((p) => structuredClone(p)) };
}

/**
 * Whether a time_bucket width is months, or a positive multiple of the bin: DuckDB evaluates it (a
 * constant, ./rollup-expressions.ts checked); an error means no, and the query keeps its own.
 */
async function wholeBins(width: AstNode, binMs: number, context: SourceContext, templates: Templates): Promise<boolean> {
  let row: Record<string, unknown>;
  try {
    row = (await context.connection.runAndReadAll(widthSql(await expressionText(width, context, templates)))).getRowObjects()[0]!;
  } catch {
    return false;
  }
  const [months, days, us] = [BigInt(row['months'] as bigint), BigInt(row['days'] as bigint), BigInt(row['us'] as bigint)];
  if (months !== 0n) return months > 0n && days === 0n && us === 0n;
  const total = days * 86_400_000_000n + us;
  return total > 0n && total % (BigInt(binMs) * 1000n) === 0n;
}

/** Rewritten select items without an alias take the name DuckDB gives the original expression. */
async function keepNames(select: AstNode, draft: AstNode, context: SourceContext, templates: Templates): Promise<void> {
  const [before, after] = [select.select_list as AstNode[], draft.select_list as AstNode[]];
  for (const [i, item] of before.entries()) {
    if (item.alias || JSONStringify(item) === JSONStringify(after[i])) continue;
    after[i]!.alias = await expressionText(item, context, templates);
  }
}

/** An expression as DuckDB prints it, which is also the name DuckDB gives an unaliased select item. */
async function expressionText(expr: AstNode, context: SourceContext, templates: Templates): Promise<string> {
  const statement = structuredClone(templates.select);
  statement.node.select_list = [expr];
  return (await printStatements(context.connection, [statement])).replace(/^SELECT /, '');
}

/**
 * The bins the rewritten SELECT reads: the summary's over the interior, and the source's rows of
 * each edge (filtered by the query's own time conditions, under its alias) binned the way the
 * summary bins them.
 */
async function binsRelation(
  shape: RollupShape, summary: ViewSetInfo, bins: BinPlan, timeConditions: AstNode[], where: AstNode | null,
  context: SourceContext, templates: Templates,
): Promise<Statement> {
  const { rollup, source, binMs, alias } = shape;
  const dims = rollup.dimensions.map(quoteIdent).join(', ');
  const m = rollup.measure;
  const summaryPart = `SELECT CAST(${quoteIdent(summary.timeColumn)} AS TIMESTAMP_NS) AS ${ROLLUP_COLUMNS.bin}, ${dims}, ${quoteIdent(rollup.count)} AS ${ROLLUP_COLUMNS.count}` +
    (m ? `, ${quoteIdent(m.sum)} AS ${ROLLUP_COLUMNS.sum}, ${quoteIdent(m.min)} AS ${ROLLUP_COLUMNS.min}, ${quoteIdent(m.max)} AS ${ROLLUP_COLUMNS.max}` : '') +
    ` FROM ${SUMMARY}`;
  const edges = bins.edges.map((e) => intersect(spanRange(e), context.range)).filter((r): r is TimeRange => r !== undefined);
  const edgePart = (i: number) => `SELECT CAST(time_bucket(INTERVAL '${binMs} milliseconds', ${quoteIdent(source.timeColumn)}) AS TIMESTAMP_NS) AS ${ROLLUP_COLUMNS.bin}, ` +
    `${dims}, count(*) AS ${ROLLUP_COLUMNS.count}` +
    (m ? `, sum(${quoteIdent(m.column)}) AS ${ROLLUP_COLUMNS.sum}, min(${quoteIdent(m.column)}) AS ${ROLLUP_COLUMNS.min}, max(${quoteIdent(m.column)}) AS ${ROLLUP_COLUMNS.max}` : '') +
    ` FROM ${EDGE}${i} AS ${quoteIdent(alias)} GROUP BY ALL`;
  const statement = await context.parseCache.parse(context.connection, [summaryPart, ...edges.map((_, i) => edgePart(i))].join(' UNION ALL '));

  const scans = new Map<string, { scan: Statement; where?: AstNode | null }>([
    [SUMMARY, { scan: await viewScan(context, summary.name, 'global', { range: spanRange(bins.interior), hints: false }) }],
  ]);
  for (const [i, range] of edges.entries()) {
    scans.set(`${EDGE}${i}`, { scan: await viewScan(context, source.name, 'global', { range }), where: and(timeConditions, where) });
  }
  forEachSelect(statement, (node) => {
    const from = node.from_table as AstNode | undefined;
    const scan = from?.type === 'BASE_TABLE' ? scans.get(String(from.table_name)) : undefined;
    if (!scan) return;
    const subquery = structuredClone(templates.subquery);
    subquery.subquery = scan.scan;
    subquery.alias = String(from!.alias || from!.table_name);
    node.from_table = subquery;
    if (scan.where !== undefined) node.where_clause = scan.where;
  });
  return statement;
}

function intersect(a: TimeRange, b: TimeRange): TimeRange | undefined {
  const later = (x?: Date, y?: Date) => (x && y ? (x > y ? x : y) : x ?? y);
  const earlier = (x?: Date, y?: Date) => (x && y ? (x < y ? x : y) : x ?? y);
  const [begin, end] = [later(a.begin, b.begin), earlier(a.end, b.end)];
  if (begin && end && begin >= end) return undefined;
  return { ...(begin ? { begin } : {}), ...(end ? { end } : {}) };
}

function forEachSelect(tree: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(tree)) {
    for (const item of tree) forEachSelect(item, visit);
    return;
  }
  if (typeof tree !== 'object' || tree === null) return;
  if ((tree as AstNode).type === 'SELECT_NODE') visit(tree as AstNode);
  for (const child of Object.values(tree)) forEachSelect(child, visit);
}
