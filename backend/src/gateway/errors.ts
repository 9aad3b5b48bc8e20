import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { QueryError, type QueryErrorCode } from '../query/engine.js';
import { withoutServerPaths } from '../query/errors.js';

const HTTP_STATUS: Record<QueryErrorCode, number> = {
  invalid_argument: 400,
  permission_denied: 403,
  not_found: 404,
  cancelled: 499,
  internal: 500,
  deadline_exceeded: 504,
  resource_exhausted: 429,
};

/**
 * The gateway's error replies: `{error, message}` with the engine's code, or fastify's for a bad
 * request; messages without server paths (the log keeps them).
 */
export function queryErrorHandler(error: FastifyError | QueryError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = error instanceof QueryError ? HTTP_STATUS[error.code] : (error.statusCode ?? 500);
  if (status >= 500) request.log.error({ err: error }, 'query failed');
  if (error instanceof QueryError) {
    if (error.code === 'resource_exhausted') void reply.header('retry-after', '1'); // a hint: the queue moves as statements end
    return reply.code(status).send({ error: error.code, message: withoutServerPaths(error.message) });
  }
  // Bad JSON, schema violations, wrong content type: fastify's message names the problem.
  return reply.code(status).send({ error: status < 500 ? 'invalid_request' : 'internal', message: withoutServerPaths(error.message) });
}
