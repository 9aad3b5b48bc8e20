import type { SourceContext } from '../rewrite/context.js';
import { printStatements, type AstNode, type Statement } from '../sql/parser.js';
import { quoteIdent, type Column } from '../sql/text.js';

/**
 * A table function whose rows unnest the list its scalar twin (the macro of the same name) makes of
 * each row of its argument: all rows of a subquery (micromegas concatenates them too), or the one
 * value of any other expression. Views inside the argument were already rewritten (they are sources
 * of their own), and the argument's type picks the macro's overload.
 */
export async function unnestRows(name: string, arg: AstNode, context: SourceContext, columns: readonly Column[]): Promise<string> {
  const projection = columns.map((c) => `CAST(e.${quoteIdent(c.name)} AS ${c.sqlType}) AS ${quoteIdent(c.name)}`);
  return `SELECT ${projection.join(', ')} FROM (SELECT unnest(${name}(v)) AS e FROM (${await argumentRows(arg, context)}) AS arg(v))`;
}

/** The argument as SQL of a relation whose first column holds its values. */
async function argumentRows(arg: AstNode, context: SourceContext): Promise<string> {
  if (arg.class === 'SUBQUERY' && arg.subquery_type === 'SCALAR') return printStatements(context.connection, [arg.subquery as Statement]);
  const select = await context.parseCache.parse(context.connection, 'SELECT NULL');
  select.node.select_list = [{ ...arg, alias: '' }];
  return printStatements(context.connection, [select]);
}
