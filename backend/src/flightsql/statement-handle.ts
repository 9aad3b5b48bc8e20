import { status } from '@grpc/grpc-js';
import type { QueryOptions } from '../query/engine.js';
import { FlightSqlRequestError } from './errors.js';

/**
 * Statement and prepared-statement handles carry the SQL (and, in tickets, the options it was planned
 * with) instead of naming server state: any replica can redeem them, and nothing leaks when a client
 * never closes what it prepared.
 */
export interface StatementHandle {
  sql: string;
  begin?: string;
  end?: string;
  preserveDictionary?: boolean;
}

export function encodeHandle(sql: string, options: QueryOptions = {}): Uint8Array {
  const handle: StatementHandle = { sql };
  if (options.range?.begin) handle.begin = options.range.begin.toISOString();
  if (options.range?.end) handle.end = options.range.end.toISOString();
  if (options.preserveDictionary) handle.preserveDictionary = true;
  return Buffer.from(JSON.stringify(handle));
}

export function decodeHandle(bytes: Uint8Array): StatementHandle {
  try {
    const handle = JSON.parse(Buffer.from(bytes).toString('utf8')) as StatementHandle;
    if (typeof handle.sql === 'string') return handle;
  } catch {
    // reported below
  }
  throw new FlightSqlRequestError(status.INVALID_ARGUMENT, 'invalid statement handle');
}

/** Options captured in a handle win over the ones sent with a later call (DoGet of a ticket). */
export function handleOptions(handle: StatementHandle, fallback: QueryOptions): QueryOptions {
  const options: QueryOptions = { ...fallback };
  if (handle.begin || handle.end) {
    options.range = { ...fallback.range };
    if (handle.begin) options.range.begin = new Date(handle.begin);
    if (handle.end) options.range.end = new Date(handle.end);
  }
  if (handle.preserveDictionary) options.preserveDictionary = true;
  return options;
}
