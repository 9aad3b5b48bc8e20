import { QueryError } from '../engine.js';
import type { AstNode } from '../sql/parser.js';
import { checkSettingRead } from './server-settings.js';

/** Something in a query's FROM clauses the engine answers itself. */
export type Source =
  /** A view set's global instance named as a table. */
  | { kind: 'view'; viewSet: string }
  /** One of the engine's table functions (view_instance, list_partitions, …), arguments unevaluated. */
  | { kind: 'function'; name: string; args: AstNode[] }
  /** DESCRIBE <query>: answered from the schema the query would have. */
  | { kind: 'describe'; query: AstNode }
  /** SHOW TABLES. */
  | { kind: 'tables' };

/** Where a source sits in the tree, so its node can be swapped for a subquery. */
export interface SourceSite {
  holder: AstNode | unknown[];
  key: string | number;
  node: AstNode;
  source: Source;
}

export interface Vocabulary {
  /** Lower-cased view set name → whether it has a global instance (usable as a table). */
  viewSets: ReadonlyMap<string, { hasGlobal: boolean; instanceKind: string | null }>;
  /** Lower-cased names of the engine's table functions. */
  tableFunctions: ReadonlySet<string>;
}

/** Table functions that compute rows and touch no data source. Everything else is refused. */
const HARMLESS_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

const SHOW_TABLES = new Set(['"tables"', 'tables', '__show_tables_expanded']);

/**
 * Walks a parsed statement and returns the sources to replace. Refuses, before anything runs, every
 * way a query could reach data other than the lake's views: unknown or schema-qualified tables (which
 * DuckDB would otherwise try as file paths), and table functions outside an allow-list (read_csv,
 * read_parquet, glob, query, …), and reads of the server's settings (./server-settings.ts). CTE names
 * shadow view names within their scope.
 */
export function findSources(statement: AstNode, vocabulary: Vocabulary): SourceSite[] {
  const sites: SourceSite[] = [];
  walk(statement, null, '', new Set(), vocabulary, sites);
  return sites;
}

function walk(
  value: unknown, holder: AstNode | unknown[] | null, key: string | number, scope: ReadonlySet<string>,
  vocabulary: Vocabulary, sites: SourceSite[],
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, value, i, scope, vocabulary, sites));
    return;
  }
  if (!isNode(value)) return;
  const node = value;
  const site = (source: Source) => sites.push({ holder: holder!, key, node, source });

  switch (node.type) {
    case 'BASE_TABLE': {
      const source = tableSource(node, scope, vocabulary);
      if (source) site(source);
      return;
    }
    case 'TABLE_FUNCTION': {
      const fn = node.function as AstNode;
      const name = String(fn.function_name).toLowerCase();
      if (fn.schema || fn.catalog || !(vocabulary.tableFunctions.has(name) || HARMLESS_TABLE_FUNCTIONS.has(name))) {
        throw new QueryError('permission_denied',
          `table function ${qualified(fn.catalog, fn.schema, fn.function_name)}() is not allowed: queries read the lake's views ` +
          `(global view names, view_instance(), list_partitions(), …), never files or other databases`);
      }
      walk(fn.children, fn, 'children', scope, vocabulary, sites);
      if (vocabulary.tableFunctions.has(name)) site({ kind: 'function', name, args: fn.children as AstNode[] });
      return;
    }
    case 'SHOW_REF': {
      if (node.show_type === 'SUMMARY') break; // SUMMARIZE <query>: rewrite the query inside
      if (node.query) return void site({ kind: 'describe', query: node.query as AstNode });
      if (SHOW_TABLES.has(String(node.table_name))) return void site({ kind: 'tables' });
      throw new QueryError('permission_denied', `SHOW ${node.table_name} is not supported: use SHOW TABLES or DESCRIBE <view>`);
    }
  }

  checkSettingRead(node);
  let inner = scope;
  const ctes = (node.cte_map as { map?: { key: string; value: { query: { node: AstNode } } }[] } | undefined)?.map;
  if (ctes && ctes.length > 0) {
    const names = ctes.map((cte) => cte.key.toLowerCase());
    ctes.forEach((cte, i) => {
      // A CTE sees the ones before it, and itself only when recursive.
      const visible = new Set([...scope, ...names.slice(0, i)]);
      if (cte.value.query.node.type === 'RECURSIVE_CTE_NODE') visible.add(names[i]!);
      walk(cte.value.query, cte.value, 'query', visible, vocabulary, sites);
    });
    inner = new Set([...scope, ...names]);
  }
  for (const [childKey, child] of Object.entries(node)) {
    if (childKey !== 'cte_map') walk(child, node, childKey, inner, vocabulary, sites);
  }
}

function tableSource(node: AstNode, scope: ReadonlySet<string>, vocabulary: Vocabulary): Source | null {
  const name = String(node.table_name);
  const lower = name.toLowerCase();
  if (!node.schema_name && !node.catalog_name) {
    if (scope.has(lower)) return null; // a CTE
    const viewSet = vocabulary.viewSets.get(lower);
    if (viewSet?.hasGlobal) return { kind: 'view', viewSet: lower };
    if (viewSet) {
      throw new QueryError('invalid_argument',
        `view set ${name} has no global instance: query one instance with view_instance('${lower}', '<${viewSet.instanceKind}>')`);
    }
  }
  const known = [...vocabulary.viewSets].filter(([, v]) => v.hasGlobal).map(([n]) => n).sort();
  throw new QueryError('invalid_argument',
    `Catalog Error: Table with name ${qualified(node.catalog_name, node.schema_name, name)} does not exist! ` +
    `Tables: ${known.join(', ')}; other view sets through view_instance()`);
}

function qualified(...parts: unknown[]): string {
  return parts.filter((p) => typeof p === 'string' && p !== '').join('.');
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null;
}
