import { QueryError, type QueryErrorCode } from './engine.js';

/** DuckDB's error classes (the words before " Error:") and what they mean for the caller. */
const CODES: Record<string, QueryErrorCode> = {
  Parser: 'invalid_argument',
  Binder: 'invalid_argument',
  Catalog: 'invalid_argument',
  Conversion: 'invalid_argument',
  'Invalid Input': 'invalid_argument',
  'Out of Range': 'invalid_argument',
  'Not implemented': 'invalid_argument',
  Constraint: 'invalid_argument',
  Dependency: 'invalid_argument',
  'Invalid type': 'invalid_argument',
  // The query asked for more than the engine's memory bound allows: the caller must narrow it.
  'Out of Memory': 'invalid_argument',
  Permission: 'permission_denied',
  Interrupt: 'cancelled',
};

/**
 * Any failure during planning or execution as a QueryError, keeping DuckDB's own message. When DuckDB
 * ran generated SQL (`rewritten`), the excerpt it quotes ("LINE 1: …") points into text the user never
 * wrote, so it is dropped.
 */
export function toQueryError(error: unknown, sql: string, rewritten = false): QueryError {
  if (error instanceof QueryError) return error.sql ? error : new QueryError(error.code, error.message, sql, { cause: error.cause });
  const raw = error instanceof Error ? error.message : String(error);
  const message = rewritten ? raw.replace(/\n+LINE \d+:[\s\S]*$/, '') : raw;
  if (error instanceof RangeError) return new QueryError('invalid_argument', message, sql, { cause: error });
  if (error instanceof Error && error.name === 'AbortError') return new QueryError('cancelled', message, sql, { cause: error });
  const kind = /^([A-Za-z ]+?) Error:/.exec(message)?.[1];
  const code = (kind ? CODES[kind] : undefined) ?? (message.startsWith('INTERRUPT') ? 'cancelled' : 'internal');
  return new QueryError(code, message, sql, { cause: error });
}

/**
 * An absolute file path of two segments or more, not part of a URL, a relative path or a ratio:
 * where DuckDB and the filesystem name the files they failed on (partitions, spill files).
 */
const ABSOLUTE_PATH = /(?<![\w:/.~-])\/(?:[^\s/'"`]+\/)+[^\s/'"`,;:)\]]*/g;

/**
 * A failure's message as a query client sees it: without the server's file paths, which say where
 * the server keeps its data. The full message still goes to the server's own log.
 */
export function withoutServerPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, '<server path>');
}
