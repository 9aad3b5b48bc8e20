import { QueryError } from '../engine.js';
import { describeSql } from '../describe/describe.js';
import { TABLE_FUNCTIONS } from '../functions/table-functions.js';
import { parseQuery, printStatements, type AstNode, type Statement } from '../sql/parser.js';
import { relationSql } from '../sql/text.js';
import { evaluateArguments } from './arguments.js';
import type { SourceContext } from './context.js';
import { findSources, type Source, type SourceSite, type Vocabulary } from './find-sources.js';
import { rollupScan } from './rollup.js';
import type { Templates } from './templates.js';
import { viewScan } from './view-scan.js';

/**
 * Rewrites one user query into SQL DuckDB can run over the lake: view names and the engine's table
 * functions become subqueries over Parquet partitions or over the catalog's answers. The query is
 * parsed and printed by DuckDB itself; only FROM-clause nodes are swapped, and the expressions of a
 * SELECT that reads a summary in its source's place (./rollup.ts).
 */
export async function rewriteQuery(sql: string, context: SourceContext, templates: Templates): Promise<string> {
  const statement = await context.parseCache.parse(context.connection, sql);
  const vocabulary: Vocabulary = { viewSets: context.viewSets, tableFunctions: new Set(TABLE_FUNCTIONS.keys()) };
  const sites = findSources(statement, vocabulary);
  if (sites.length === 0) return sql; // nothing to replace: run exactly what was checked
  // In walk order: a source nested in another's arguments is replaced before those are evaluated.
  for (const site of sites) {
    const relation = (await rollupScan(site, context, templates)) ?? (await sourceQuery(site.source, context, templates.select));
    await replace(site, relation, context, templates);
  }
  return printStatements(context.connection, [statement]);
}

async function sourceQuery(source: Source, context: SourceContext, template: Statement): Promise<string | Statement> {
  switch (source.kind) {
    case 'view': return viewScan(context, source.viewSet, 'global');
    case 'describe': return describeSql(source.query, context);
    case 'tables': {
      const names = [...context.viewSets.values()].filter((v) => v.hasGlobal).map((v) => v.name).sort();
      return relationSql([{ name: 'name', sqlType: 'VARCHAR' }], names.map((name) => [name]));
    }
    case 'function': {
      const fn = TABLE_FUNCTIONS.get(source.name)!;
      if (fn.admin && !context.allowAdmin) {
        throw new QueryError('permission_denied', `${source.name}() is an admin function: it needs an API key with the admin role`);
      }
      return fn.sql(await evaluateArguments(source.name, fn, source.args, template, context), context);
    }
  }
}

/** Puts `(sql) AS <alias>` where the source was, keeping the user's alias, column aliases and sample. */
async function replace(site: SourceSite, query: string | Statement, context: SourceContext, templates: Templates): Promise<void> {
  const { node } = site;
  const subquery = structuredClone(templates.subquery);
  subquery.subquery = typeof query === 'string' ? await parseQuery(context.connection, query) : query;
  subquery.alias = String(node.alias || node.table_name || (node.function as AstNode | undefined)?.function_name || site.source.kind);
  subquery.column_name_alias = node.column_name_alias ?? [];
  subquery.sample = node.sample ?? null;
  (site.holder as Record<string | number, unknown>)[site.key] = subquery;
}
