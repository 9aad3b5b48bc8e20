import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { MessageDecodeError } from '@micromegas/flightsql-client';
import { QueryError, type QueryErrorCode } from '../query/engine.js';
import { withoutServerPaths } from '../query/errors.js';

/** A request the FlightSQL layer itself refuses (unknown command, bad handle, bad time range). */
export class FlightSqlRequestError extends Error {
  override name = 'FlightSqlRequestError';

  constructor(readonly code: status, message: string) {
    super(message);
  }
}

const QUERY_STATUS: Record<QueryErrorCode, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  permission_denied: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  internal: status.INTERNAL,
  cancelled: status.CANCELLED,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
};

/** The gRPC status a failure travels as; the message is the engine's own words, without server paths. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const [code, details] =
    err instanceof QueryError ? [QUERY_STATUS[err.code], err.message]
    : err instanceof FlightSqlRequestError ? [err.code, err.message]
    : err instanceof MessageDecodeError ? [status.INVALID_ARGUMENT, err.message]
    : [status.INTERNAL, err instanceof Error ? err.message : String(err)];
  return { code, details: withoutServerPaths(details), metadata: new Metadata() };
}
