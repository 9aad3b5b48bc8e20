import type { FastifyInstance } from 'fastify';
import type { QueryEngine } from '../query/engine.js';
import { Authenticator } from '../auth/authenticator.js';
import { apiKeyAuth } from '../auth/http.js';
import { abortOnClose, ARROW_STREAM, queryOptions, queryRequestSchema, responseFormat, type QueryRequest } from './request.js';
import { arrowBody, jsonRowsBody, withFirstBatch } from './responses.js';
import { queryErrorHandler } from './errors.js';

export interface QueryRoutesOptions {
  engine: QueryEngine;
  /** Checks each request's API key (query role; admin functions for the admin role); default: none required. */
  authenticator?: Authenticator;
}

/** `POST /api/query {sql, begin, end, format}` → Arrow IPC stream or JSON rows. */
export async function queryRoutes(app: FastifyInstance, options: QueryRoutesOptions): Promise<void> {
  const authenticator = options.authenticator ?? new Authenticator({ required: false, cacheTtlMs: 0 });
  await app.register(apiKeyAuth, { authenticator, role: 'query' });
  app.setErrorHandler(queryErrorHandler);

  app.post<{ Body: QueryRequest }>('/api/query', { schema: { body: queryRequestSchema } }, async (request, reply) => {
    const { schema, batches } = await options.engine.query(request.body.sql,
      { ...queryOptions(request.body, abortOnClose(reply)), allowAdmin: request.caller?.role === 'admin' });
    const rows = await withFirstBatch(batches);
    if (responseFormat(request.body, request.headers.accept) === 'arrow') {
      return reply.type(ARROW_STREAM).send(arrowBody(schema, rows));
    }
    return reply.type('application/json; charset=utf-8').send(jsonRowsBody(rows));
  });
}
