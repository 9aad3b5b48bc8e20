import type { FastifyError, FastifyInstance } from 'fastify';
import { QueryError, type QueryEngine, type QueryErrorCode } from '../query/engine.js';
import { Authenticator } from '../auth/authenticator.js';
import { apiKeyAuth } from '../auth/http.js';
import { ARROW_STREAM, queryOptions, queryRequestSchema, responseFormat, type QueryRequest } from './request.js';
import { arrowBody, jsonRowsBody, withFirstBatch } from './responses.js';

const HTTP_STATUS: Record<QueryErrorCode, number> = {
  invalid_argument: 400,
  permission_denied: 403,
  not_found: 404,
  cancelled: 499,
  internal: 500,
};

export interface QueryRoutesOptions {
  engine: QueryEngine;
  /** Checks each request's API key (query role; admin functions for the admin role); default: none required. */
  authenticator?: Authenticator;
}

/** `POST /api/query {sql, begin, end, format}` → Arrow IPC stream or JSON rows. */
export async function queryRoutes(app: FastifyInstance, options: QueryRoutesOptions): Promise<void> {
  const authenticator = options.authenticator ?? new Authenticator({ required: false, cacheTtlMs: 0 });
  await app.register(apiKeyAuth, { authenticator, role: 'query' });
  app.setErrorHandler((error: FastifyError | QueryError, request, reply) => {
    const status = error instanceof QueryError ? HTTP_STATUS[error.code] : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, 'query failed');
    if (error instanceof QueryError) {
      return reply.code(status).send({ error: error.code, message: error.message });
    }
    // Bad JSON, schema violations, wrong content type: fastify's message names the problem.
    return reply.code(status).send({ error: status < 500 ? 'invalid_request' : 'internal', message: error.message });
  });

  app.post<{ Body: QueryRequest }>('/api/query', { schema: { body: queryRequestSchema } }, async (request, reply) => {
    const abort = new AbortController();
    // The client went away before the response finished: stop the query.
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const { schema, batches } = await options.engine.query(request.body.sql,
      { ...queryOptions(request.body, abort.signal), allowAdmin: request.caller?.role === 'admin' });
    const rows = await withFirstBatch(batches);
    if (responseFormat(request.body, request.headers.accept) === 'arrow') {
      return reply.type(ARROW_STREAM).send(arrowBody(schema, rows));
    }
    return reply.type('application/json; charset=utf-8').send(jsonRowsBody(rows));
  });
}
