import type { FastifyReply } from 'fastify';
import type { QueryOptions } from '../query/engine.js';

/** POST /api/query body. */
export interface QueryRequest {
  sql: string;
  /** RFC 3339 bounds of the query's time range; either may be left open. */
  begin?: string;
  end?: string;
  /** Response format; otherwise chosen by the Accept header (JSON unless Arrow is asked for). */
  format?: 'arrow' | 'json';
}

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export const queryRequestSchema = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1 },
    begin: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
    format: { type: 'string', enum: ['arrow', 'json'] },
  },
} as const;

export function responseFormat(request: QueryRequest, accept: string | undefined): 'arrow' | 'json' {
  if (request.format) return request.format;
  return accept?.includes(ARROW_STREAM) ? 'arrow' : 'json';
}

export function queryOptions(request: QueryRequest, signal: AbortSignal): QueryOptions {
  const options: QueryOptions = { signal };
  if (request.begin || request.end) {
    options.range = {};
    if (request.begin) options.range.begin = new Date(request.begin);
    if (request.end) options.range.end = new Date(request.end);
  }
  return options;
}

/** A signal that aborts when the client goes away before the response has finished: the query stops. */
export function abortOnClose(reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
  return abort.signal;
}
