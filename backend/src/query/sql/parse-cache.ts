import type { DuckDBConnection } from '@duckdb/node-api';
import { parseQuery, type AstNode, type Statement } from './parser.js';

/**
 * Parse trees of the SQL shapes the engine generates over and over (a view's scan, its empty
 * relation), keyed by their text with placeholders: one DuckDB round trip saved per source per query.
 * Callers get a private copy to fill in.
 */
export class ParseCache {
  private readonly trees = new Map<string, Statement>();

  constructor(private readonly maxEntries = 256) {}

  async parse(connection: DuckDBConnection, sql: string): Promise<Statement> {
    let tree = this.trees.get(sql);
    if (!tree) {
      tree = await parseQuery(connection, sql);
      if (this.trees.size >= this.maxEntries) this.trees.delete(this.trees.keys().next().value!);
      this.trees.set(sql, tree);
    }
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
