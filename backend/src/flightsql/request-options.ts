import { status, type Metadata } from '@grpc/grpc-js';
import { PRESERVE_DICTIONARY, QUERY_RANGE_BEGIN, QUERY_RANGE_END } from '@micromegas/flightsql-client';
import type { QueryOptions, TimeRange } from '../query/engine.js';
import { callerOf } from './auth.js';
import { FlightSqlRequestError } from './errors.js';

function header(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return value === undefined ? undefined : String(value);
}

function parseBound(key: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new FlightSqlRequestError(status.INVALID_ARGUMENT, `${key}: '${value}' is not an RFC 3339 timestamp`);
  }
  return date;
}

/** The time range and encoding a client asked for in its gRPC metadata, and whether it may run admin functions. */
export function queryOptionsFrom(metadata: Metadata): QueryOptions {
  const range: TimeRange = {};
  const begin = parseBound(QUERY_RANGE_BEGIN, header(metadata, QUERY_RANGE_BEGIN));
  const end = parseBound(QUERY_RANGE_END, header(metadata, QUERY_RANGE_END));
  if (begin) range.begin = begin;
  if (end) range.end = end;
  const options: QueryOptions = {
    preserveDictionary: header(metadata, PRESERVE_DICTIONARY)?.toLowerCase() === 'true',
    allowAdmin: callerOf(metadata)?.role === 'admin',
  };
  if (begin || end) options.range = range;
  return options;
}
