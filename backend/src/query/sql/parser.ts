import type { DuckDBConnection } from '@duckdb/node-api';
import { JSONParse, JSONStringify } from 'json-with-bigint';
import { QueryError } from '../engine.js';
import { quoteString } from './text.js';

/**
 * A node of DuckDB's own parse tree as `json_serialize_sql` emits it. Parsed without losing 64-bit
 * integers (constants, positions), since the tree goes back to DuckDB.
 */
export type AstNode = { [key: string]: unknown };

/** One parsed statement: `{ node, named_param_map }`. */
export type Statement = AstNode & { node: AstNode };

interface Serialized {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: Statement[];
}

const ONLY_QUERIES =
  'only one read-only query is allowed (SELECT, WITH, VALUES, DESCRIBE, SUMMARIZE, PIVOT with an explicit IN list); ' +
  'DDL, DML, COPY, ATTACH, INSTALL/LOAD, PRAGMA, SET and EXPLAIN statements are refused';

/** Parses with DuckDB's parser; the caller gets DuckDB's own error message for bad SQL. */
async function parseStatements(connection: DuckDBConnection, sql: string): Promise<Statement[]> {
  // DuckDB takes SQL as C strings: a NUL would silently cut the text.
  if (sql.includes('\0')) throw new QueryError('invalid_argument', 'SQL text must not contain NUL characters', sql);
  // A literal rather than a bound parameter: one round trip to DuckDB instead of prepare, bind, execute.
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${quoteString(sql)}) AS ast`);
  const parsed = JSONParse(String(reader.getRows()[0]![0])) as Serialized;
  if (parsed.error) {
    if (parsed.error_type === 'not implemented') throw new QueryError('permission_denied', ONLY_QUERIES, sql);
    throw new QueryError('invalid_argument', `${capitalize(parsed.error_type ?? 'parser')} Error: ${parsed.error_message}`, sql);
  }
  return parsed.statements ?? [];
}

/** The single query of `sql`: one statement, read-only. */
export async function parseQuery(connection: DuckDBConnection, sql: string): Promise<Statement> {
  const statements = await parseStatements(connection, sql);
  if (statements.length === 0) throw new QueryError('invalid_argument', 'empty query: no SQL statement to run', sql);
  if (statements.length > 1) {
    throw new QueryError('permission_denied', `one statement per query: got ${statements.length} (${ONLY_QUERIES})`, sql);
  }
  return statements[0]!;
}

/** Turns (rewritten) statements back into SQL text with DuckDB's own printer. */
export async function printStatements(connection: DuckDBConnection, statements: Statement[]): Promise<string> {
  const json = JSONStringify({ error: false, statements: keepFloatConstants(statements) }).replace(FLOAT_MARK, '$1.0');
  const reader = await connection.runAndReadAll(`SELECT json_deserialize_sql(${quoteString(json)}::JSON) AS sql`);
  return String(reader.getRows()[0]![0]);
}

/*
 * JSON has one number type: a DOUBLE constant such as `1e6` parses to the integer 1000000, prints
 * back as `1000000`, and DuckDB then refuses it ("expected type 'double', but got type: 'uint'").
 * Integral DOUBLE/FLOAT constants are marked while printing and written back with a `.0`; the mark
 * holds a NUL, which SQL text never does (parseStatements refuses it), so no user string can match.
 */
const FLOAT_MARK = /"\\u0000float:(-?\d+)"/g;

function keepFloatConstants<T>(node: T): T {
  if (Array.isArray(node)) return node.map(keepFloatConstants) as T;
  if (node === null || typeof node !== 'object') return node;
  const copy: AstNode = {};
  for (const [key, value] of Object.entries(node)) copy[key] = keepFloatConstants(value);
  const typeId = (copy.type as AstNode | undefined)?.id;
  if ((typeId === 'DOUBLE' || typeId === 'FLOAT') && typeof copy.value === 'number' && Number.isInteger(copy.value) && !String(copy.value).includes('e')) {
    copy.value = `\u0000float:${copy.value}`;
  }
  return copy as T;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
