/**
 * The ingestion HTTP API, as a fastify plugin (register it with prefix '/ingestion'):
 * `POST insert_process`, `insert_stream`, `insert_block`, each taking one CBOR envelope as the raw
 * body (any content type; application/cbor by convention) and answering 200 with an empty body once
 * it is durably recorded, including when it already was (resends are harmless).
 * Errors: 400 malformed envelope, 409 a block id already recorded with other content, 413 body over
 * the cap, 422 unknown stream or process, 503 storage failure (nothing half-written is visible: a
 * block's row is written last) or too many bodies in flight (with Retry-After), 500 a bug. Sinks
 * should retry 5xx and drop 4xx.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetadataStore } from '../lake/metadata/store.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { ObjectStoreError } from '../lake/object-store/errors.js';
import {
  BlockConflictError, confirmResend, insertProcess, insertStream, streamProcess, UnknownProcessError, UnknownStreamError,
} from '../lake/telemetry/write.js';
import { encodeBlockPayload } from '../lake/telemetry/payload.js';
import { BadEnvelopeError, IngestionBusyError, IngestionRequestError, UnknownReferenceError } from './errors.js';
import { readBlock, readProcess, readStream } from './envelopes.js';
import { RecentIds } from './recent-ids.js';
import { BlockWriter } from './block-writer.js';

export interface IngestionOptions {
  metadata: MetadataStore;
  objects: ObjectStore;
  maxBodyBytes: number;
}

/** How many streams' owners to remember: far more than the streams that send at once. */
const KNOWN_STREAMS = 100_000;

/** SQLSTATE class 22, data exception: the database refused a value, which a retry will not change. */
const DATA_EXCEPTION = /^22[0-9A-Z]{3}$/;

function isDataException(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && DATA_EXCEPTION.test(code);
}

/** The status of a failed request: its own, fastify's 4xx, 503 for storage trouble, else 500 (also OTLP's). */
export function statusOf(err: FastifyError | Error): number {
  if (err instanceof IngestionRequestError) return err.statusCode;
  if (err instanceof UnknownProcessError || err instanceof UnknownStreamError) return 422;
  if (err instanceof BlockConflictError) return 409;
  const status = (err as FastifyError).statusCode;
  // fastify's own refusals (413 body too large, 400 bad content length, …) stand.
  if (status !== undefined && status >= 400 && status < 500) return status;
  // The envelope checks should refuse such values first; this keeps one they miss out of the retry loop.
  if (isDataException(err)) return 400;
  // Storage trouble (object store, SQLSTATE or socket error codes) is worth a retry; anything else is a bug.
  return err instanceof ObjectStoreError || typeof (err as { code?: unknown }).code === 'string' ? 503 : 500;
}

export async function ingestionRoutes(app: FastifyInstance, options: IngestionOptions): Promise<void> {
  const { metadata, objects, maxBodyBytes } = options;
  const streamOwners = new RecentIds<string>(KNOWN_STREAMS);
  const blocks = new BlockWriter(metadata, objects);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = statusOf(err);
    if (status >= 500 && !(err instanceof IngestionBusyError)) request.log.error({ err }, `ingestion: ${request.url} failed`);
    const dataException = status === 400 && isDataException(err);
    // A value the envelope checks let through: worth knowing, as the check belongs there.
    if (dataException) request.log.warn({ err }, `ingestion: ${request.url}: the metadata database refused a value`);
    const error = err instanceof IngestionBusyError ? 'busy' : status === 503 ? 'storage failure' : status >= 500 ? 'internal error' : 'rejected';
    const message = dataException ? `the metadata database refused a value: ${err.message}` : err.message;
    void reply.code(status).send({ statusCode: status, error, message });
  });

  const body = (request: FastifyRequest) => request.body as Buffer | undefined;
  const route = { bodyLimit: maxBodyBytes };

  app.post('/insert_process', route, async (request, reply) => {
    await insertProcess(metadata, readProcess(body(request)));
    return reply.code(200).send();
  });

  app.post('/insert_stream', route, async (request, reply) => {
    await insertStream(metadata, readStream(body(request)));
    return reply.code(200).send();
  });

  app.post('/insert_block', route, async (request, reply) => {
    const block = readBlock(body(request));
    let owner = streamOwners.get(block.stream_id);
    if (owner === undefined) {
      owner = await streamProcess(metadata, block.stream_id);
      if (owner === undefined) {
        throw new UnknownReferenceError(`block ${block.block_id}: unknown stream ${block.stream_id} (insert the stream first)`);
      }
      streamOwners.remember(block.stream_id, owner);
    }
    if (owner !== block.process_id) {
      throw new BadEnvelopeError('block', `is ${block.process_id} but stream ${block.stream_id} belongs to process ${owner}`, 'process_id');
    }
    // The payload first, then the row that makes it visible (./block-writer.ts).
    const written = await blocks.write(block, encodeBlockPayload(block.payload)).catch((err: unknown) => {
      if (err instanceof UnknownStreamError) streamOwners.forget(block.stream_id);
      throw err;
    });
    // A block id already recorded: a resend of this very block, or a 409.
    if (!written.inserted) await confirmResend(metadata, objects, written.stored);
    return reply.code(200).send();
  });
}
