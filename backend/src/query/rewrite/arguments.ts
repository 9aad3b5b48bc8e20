import { QueryError } from '../engine.js';
import type { ArgValue, ParamKind, TableFunction } from '../functions/table-functions.js';
import { printStatements, type AstNode, type Statement } from '../sql/parser.js';
import { quoteIdent } from '../sql/text.js';
import type { SourceContext } from './context.js';

const CONVERSIONS: Record<Exclude<ParamKind, 'expression'>, (column: string) => string> = {
  text: (c) => `CAST(${c} AS VARCHAR)`,
  time: (c) => `epoch_ms(CAST(${c} AS TIMESTAMPTZ))`,
  number: (c) => `CAST(${c} AS DOUBLE)`,
};

/**
 * Evaluates a table function's arguments with DuckDB, so they may be any constant expression
 * (`now() - INTERVAL 1 HOUR`, `'2024-10-03T18:00:00Z'`, `concat(...)`), not just literals.
 * `template` is a parsed `SELECT NULL` whose select list receives the argument expressions.
 */
export async function evaluateArguments(
  name: string, fn: TableFunction, args: AstNode[], template: Statement, context: SourceContext,
): Promise<ArgValue[]> {
  const signature = `${name}(${fn.params.map((p) => p.name).join(', ')})`;
  if (args.length !== fn.params.length) {
    throw new QueryError('invalid_argument', `${signature} takes ${fn.params.length} argument(s), got ${args.length}`);
  }
  if (args.length === 0) return [];
  const literals = fn.params.map((param, i) => (param.kind === 'expression' ? args[i]! : literalArgument(param.kind, args[i]!)));
  if (literals.every((v) => v !== undefined)) return literals as ArgValue[];
  const evaluated = fn.params.flatMap((param, i) => (param.kind === 'expression' ? [] : [{ i, kind: param.kind }]));
  const select: Statement = structuredClone(template);
  select.node.select_list = evaluated.map(({ i }) => ({ ...args[i]!, alias: '' }));
  const names = evaluated.map(({ i }) => quoteIdent(fn.params[i]!.name));
  const sql = `SELECT ${evaluated.map(({ kind }, n) => CONVERSIONS[kind](names[n]!)).join(', ')} ` +
    `FROM (${await printStatements(context.connection, [select])}) AS args(${names.join(', ')})`;
  let row: unknown[];
  try {
    row = (await context.connection.runAndReadAll(sql)).getRows()[0]!;
  } catch (error) {
    throw new QueryError('invalid_argument', `${signature}: ${(error as Error).message}`, undefined, { cause: error });
  }
  return fn.params.map((param, i) => {
    if (param.kind === 'expression') return args[i]!;
    const value = row[evaluated.findIndex((e) => e.i === i)];
    if (value === null || value === undefined) throw new QueryError('invalid_argument', `${signature}: ${param.name} is NULL`);
    return param.kind === 'time' ? new Date(Number(value)) : param.kind === 'number' ? Number(value) : String(value);
  });
}

/**
 * The value of a plain literal argument read straight from the parse tree ('log_entries', 60): the
 * common case, which then needs no evaluation round trip. Times always go through DuckDB's parser.
 */
function literalArgument(kind: Exclude<ParamKind, 'expression'>, arg: AstNode): ArgValue | undefined {
  if (arg.class !== 'CONSTANT') return undefined;
  const { type, is_null: isNull, value } = arg.value as { type: { id: string }; is_null: boolean; value: unknown };
  if (isNull) return undefined;
  if (kind === 'text' && type.id === 'VARCHAR') return String(value);
  if (kind === 'number' && ['INTEGER', 'BIGINT', 'DOUBLE'].includes(type.id)) return Number(value);
  return undefined;
}
