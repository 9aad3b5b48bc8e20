import type { DuckDBConnection } from '@duckdb/node-api';
import { parseQuery, type AstNode, type Statement } from './parser.js';

/**
 * Parse trees by SQL text: queries dashboards send again and again, and the shapes the engine
 * generates (a view's scan with placeholders, its empty relation). A hit saves a DuckDB round trip.
 * Callers get a private copy to rewrite or fill in. Only successful parses are kept.
 */
export class ParseCache {
  private readonly trees = new Map<string, Statement>();

  constructor(private readonly maxEntries = 512, private readonly maxSqlLength = 16 * 1024) {}

  async parse(connection: DuckDBConnection, sql: string): Promise<Statement> {
    let tree = this.trees.get(sql);
    if (tree) {
      this.trees.delete(sql); // most recently used last
    } else {
      tree = await parseQuery(connection, sql);
      if (sql.length > this.maxSqlLength) return tree;
      if (this.trees.size >= this.maxEntries) this.trees.delete(this.trees.keys().next().value!);
    }
    this.trees.set(sql, tree);
    return structuredClone(tree);
  }
}

/**
 * Fills placeholders in a parse tree: a string constant equal to a key of `lists` is replaced, in its
 * list, by one constant per value; one equal to a key of `scalars` takes that value.
 */
export function fillPlaceholders(
  tree: unknown, lists: Record<string, readonly string[]>, scalars: Record<string, string>,
): void {
  if (Array.isArray(tree)) {
    for (let i = tree.length - 1; i >= 0; i--) {
      const placeholder = constantText(tree[i]);
      const values = placeholder === undefined ? undefined : lists[placeholder];
      if (values) tree.splice(i, 1, ...values.map((v) => withValue(tree[i] as AstNode, v)));
      else fillPlaceholders(tree[i], lists, scalars);
    }
    return;
  }
  if (typeof tree !== 'object' || tree === null) return;
  const placeholder = constantText(tree);
  if (placeholder !== undefined && placeholder in scalars) {
    ((tree as AstNode).value as AstNode).value = scalars[placeholder];
    return;
  }
  for (const child of Object.values(tree)) fillPlaceholders(child, lists, scalars);
}

function constantText(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null || (node as AstNode).class !== 'CONSTANT') return undefined;
  const value = (node as AstNode).value as { type: { id: string }; value: unknown };
  return value.type.id === 'VARCHAR' && typeof value.value === 'string' ? value.value : undefined;
}

function withValue(constant: AstNode, text: string): AstNode {
  const copy = structuredClone(constant);
  (copy.value as AstNode).value = text;
  return copy;
}
