import type { DuckDBConnection } from '@duckdb/node-api';
import { parseQuery, type AstNode, type Statement } from '../sql/parser.js';

/**
 * Parse-tree shapes the rewriter fills in, taken from DuckDB's own parser once per engine rather than
 * spelled out by hand, so they always match the DuckDB version in use.
 */
export interface Templates {
  /** `SELECT NULL`: its select list receives table-function arguments to evaluate. */
  select: Statement;
  /** `(SELECT NULL) AS t` as a FROM-clause node: replaces a view or function with a subquery. */
  subquery: AstNode;
}

export async function loadTemplates(connection: DuckDBConnection): Promise<Templates> {
  const select = await parseQuery(connection, 'SELECT NULL');
  const wrapper = await parseQuery(connection, 'SELECT * FROM (SELECT NULL) AS t');
  return { select, subquery: wrapper.node.from_table as AstNode };
}
