/**
 * `GET /api/perfetto/<process_id>?begin=…&end=…[&span_types=thread|async|both]`: the process's
 * Perfetto trace over [begin, end) as a file to download (what perfetto_trace_chunks() returns,
 * concatenated), for links from Grafana and for curl.
 *
 * Same API keys as the rest of the gateway (query role). A browser following a link sends no
 * header, so a 401 here also offers Basic authentication: the password given at the browser's
 * prompt is taken as the API key (the user name is ignored).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { RecordBatch } from 'apache-arrow';
import { Authenticator } from '../auth/authenticator.js';
import { apiKeyAuth } from '../auth/http.js';
import { quoteString } from '../query/sql/text.js';
import { queryErrorHandler } from './errors.js';
import { abortOnClose } from './request.js';
import { withFirstBatch } from './responses.js';
import type { QueryRoutesOptions } from './routes.js';

interface PerfettoRequest {
  Params: { process_id: string };
  Querystring: { begin: string; end: string; span_types?: 'thread' | 'async' | 'both' };
}

const schema = {
  params: { type: 'object', required: ['process_id'], properties: { process_id: { type: 'string', minLength: 1, maxLength: 256 } } },
  querystring: {
    type: 'object',
    required: ['begin', 'end'],
    additionalProperties: false,
    properties: {
      begin: { type: 'string', format: 'date-time' },
      end: { type: 'string', format: 'date-time' },
      span_types: { type: 'string', enum: ['thread', 'async', 'both'] },
    },
  },
} as const;

const BASIC = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i;

async function* chunkBytes(batches: AsyncIterable<RecordBatch>): AsyncGenerator<Uint8Array> {
  for await (const batch of batches) {
    const column = batch.getChildAt(0)!;
    for (let i = 0; i < batch.numRows; i++) yield column.get(i) as Uint8Array;
  }
}

export async function perfettoRoutes(app: FastifyInstance, options: QueryRoutesOptions): Promise<void> {
  // Before the key check (hooks run in the order they were added): Basic credentials carry the key as password.
  app.addHook('onRequest', async (request) => {
    const basic = BASIC.exec(request.headers.authorization ?? '');
    if (basic) {
      const credentials = Buffer.from(basic[1]!, 'base64').toString('utf8');
      request.headers.authorization = `Bearer ${credentials.slice(credentials.indexOf(':') + 1)}`;
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 401) reply.header('www-authenticate', ['Bearer realm="micromegas"', 'Basic realm="micromegas", charset="UTF-8"']);
    return payload;
  });
  const authenticator = options.authenticator ?? new Authenticator({ required: false, cacheTtlMs: 0 });
  await app.register(apiKeyAuth, { authenticator, role: 'query' });
  app.setErrorHandler(queryErrorHandler);

  app.get<PerfettoRequest>('/api/perfetto/:process_id', { schema }, async (request, reply) => {
    const { process_id: processId } = request.params;
    const { begin, end, span_types: spanTypes = 'both' } = request.query;
    const sql = `SELECT chunk_data FROM perfetto_trace_chunks(${quoteString(processId)}, ${quoteString(spanTypes)},
      ${quoteString(begin)}, ${quoteString(end)}) ORDER BY chunk_id`;
    const { batches } = await options.engine.query(sql, { signal: abortOnClose(reply), allowAdmin: false });
    // The trace is built before its first chunk: a missing process or a bad range still gets its 4xx.
    const chunks = await withFirstBatch(batches);
    const file = `${processId.replace(/[^A-Za-z0-9._-]/g, '_')}.perfetto`;
    return reply.type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(Readable.from(chunkBytes(chunks), { objectMode: false }));
  });
}
