/**
 * OTLP/HTTP ingestion, as a fastify plugin: `POST /v1/traces`, `/v1/logs`, `/v1/metrics` (where OTel
 * SDKs send when OTEL_EXPORTER_OTLP_ENDPOINT is this server), and the same under `/ingestion/otlp`
 * (micromegas' paths). Bodies are binary protobuf (`application/x-protobuf`) or OTLP/JSON
 * (`application/json`), optionally gzip; the answer is in the same encoding.
 *
 * Status codes (OTLP/HTTP): 200 with an Export<Signal>ServiceResponse once every accepted item is
 * durably stored (with `partial_success` counting the rejected ones); 400 a body that does not
 * decode; 413 a body, inflated body or element count over the limits; 415 another content type or
 * encoding; 503 a storage failure (retryable: nothing is lost, a resend is stored once); 500 a bug.
 * Every error carries a google.rpc.Status.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetadataStore } from '../../lake/metadata/store.js';
import type { ObjectStore } from '../../lake/object-store/store.js';
import { signals, type Signal } from '../../lake/otlp/schema.js';
import { accept } from './accept.js';
import { CONTENT_TYPES, decodedBody, decodeRequest, encodingOf, type Encoding } from './body.js';
import { OtlpRequestError, RpcCode } from './errors.js';
import { exportResponse, statusResponse } from './responses.js';
import { OtlpStorage } from './storage.js';
import { statusOf } from '../routes.js';

export interface OtlpOptions {
  metadata: MetadataStore;
  objects: ObjectStore;
  /** Cap on the body as received and, inflated, as sent. */
  maxBodyBytes: number;
}

/** Path prefixes the routes answer under: OTLP's default, and micromegas' `…/ingestion/otlp` endpoint. */
export const OTLP_PREFIXES = ['', '/ingestion/otlp'];
/** Seconds a client should wait before resending after a storage failure. */
const RETRY_AFTER_SECONDS = 5;

function rpcCodeOf(status: number, err?: Error): number {
  if (err instanceof OtlpRequestError) return err.rpcCode;
  // Refusals of hooks the role puts in front (authentication) keep their meaning.
  if (status === 401) return RpcCode.UNAUTHENTICATED;
  if (status === 403) return RpcCode.PERMISSION_DENIED;
  if (status === 413 || status === 429) return RpcCode.RESOURCE_EXHAUSTED;
  if (status === 503) return RpcCode.UNAVAILABLE;
  return status >= 500 ? RpcCode.INTERNAL : RpcCode.INVALID_ARGUMENT;
}

/** Replies these routes wrote themselves (any other error reply comes from a hook in front). */
const otlpReplies = new WeakSet<FastifyReply>();

function send(reply: FastifyReply, status: number, encoding: Encoding, body: Buffer): FastifyReply {
  otlpReplies.add(reply);
  return reply.code(status).type(CONTENT_TYPES[encoding]).send(body);
}

/** The message of a JSON error body (`{message}`), or the body itself. */
function messageOf(payload: unknown): string {
  const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : String(payload ?? '');
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text as it is
  }
  return text;
}

export async function otlpRoutes(app: FastifyInstance, options: OtlpOptions): Promise<void> {
  const { maxBodyBytes } = options;
  const storage = new OtlpStorage(options.metadata, options.objects);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/x-protobuf', 'application/protobuf', 'application/json'],
    { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => done(null, body));
  // Anything else is refused before its body is read.
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(new OtlpRequestError(415, `content-type '${request.headers['content-type'] ?? ''}' is not OTLP: send application/x-protobuf or application/json`));
  });

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = statusOf(err);
    if (status >= 500) request.log.error({ err }, `otlp: ${request.url} failed`);
    if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    const message = status === 503 ? `storage failure, retry: ${err.message}` : status >= 500 ? 'internal error' : err.message;
    const encoding = encodingOf(request.headers['content-type']) ?? 'protobuf';
    return send(reply, status, encoding, statusResponse(rpcCodeOf(status, err), message, encoding));
  });

  // A hook in front (the role's API key check) refuses with its own JSON body: OTLP clients get a Status.
  app.addHook('onSend', async (request, reply, payload) => {
    if (otlpReplies.has(reply) || reply.statusCode < 400) return payload;
    const encoding = encodingOf(request.headers['content-type']) ?? 'protobuf';
    void reply.type(CONTENT_TYPES[encoding]);
    return statusResponse(rpcCodeOf(reply.statusCode), messageOf(payload), encoding);
  });

  const ingest = (signal: Signal) => async (request: FastifyRequest, reply: FastifyReply) => {
    const receivedNs = BigInt(Date.now()) * 1_000_000n;
    const encoding = encodingOf(request.headers['content-type'])!;
    const body = await decodedBody((request.body as Buffer | undefined) ?? Buffer.alloc(0), request.headers['content-encoding'], maxBodyBytes);
    const acceptance = accept(signal, decodeRequest(signals[signal].request, encoding, body), receivedNs);
    await Promise.all(acceptance.blocks.map((block) => storage.store(signal, block, receivedNs)));
    return send(reply, 200, encoding, exportResponse(signal, acceptance, encoding));
  };

  for (const prefix of OTLP_PREFIXES) {
    for (const signal of Object.keys(signals) as Signal[]) {
      app.post(`${prefix}/v1/${signal}`, { bodyLimit: maxBodyBytes }, ingest(signal));
    }
  }
}
