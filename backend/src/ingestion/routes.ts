/**
 * The ingestion HTTP API, as a fastify plugin (register it with prefix '/ingestion'):
 * `POST insert_process`, `insert_stream`, `insert_block`, each taking one CBOR envelope as the raw
 * body (any content type; application/cbor by convention) and answering 200 with an empty body once
 * it is durably recorded, including when it already was (resends are harmless).
 * Errors: 400 malformed envelope, 409 a block id already recorded with other content, 413 body over
 * the cap, 422 unknown stream or process, 503 storage failure (nothing half-written is visible: a
 * block's row is written last) or too many bodies in flight (with Retry-After), 500 a bug. Sinks
 * should retry 5xx and drop 4xx.
 * `POST insert_blocks` takes a CBOR array of 1 to 64 block envelopes, so that a process's blocks of
 * one flush cost one request: each block is stored or refused on its own, exactly as insert_block
 * would, and the answer is 200 with JSON `{ results: [...] }`, one entry per block in order:
 * `{ statusCode: 200 }` or the error body insert_block would have sent (`{ statusCode, error,
 * message }`). Only when every block failed with a 5xx does the request answer 503 (same body plus
 * `results`), so a client that reads no results still retries. A body that is not such an array is
 * a 400 and stores nothing; admission (503 busy) and the body cap (413) apply to the whole body.
 */
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetadataStore } from '../lake/metadata/store.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { ObjectStoreError } from '../lake/object-store/errors.js';
import {
  BlockConflictError, confirmResend, insertProcess, insertStream, streamProcess, UnknownProcessError, UnknownStreamError,
} from '../lake/telemetry/write.js';
import { encodeBlockPayload } from '../lake/telemetry/payload.js';
import { BadEnvelopeError, IngestionBusyError, IngestionRequestError, UnknownReferenceError } from './errors.js';
import { checkBlock, readBlock, readBlockBatch, readProcess, readStream } from './envelopes.js';
import type { BlockRecord } from '../lake/telemetry/records.js';
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

/** What a failed request, or a failed block of insert_blocks, is answered with. */
interface Failure {
  statusCode: number;
  error: string;
  message: string;
}

/** The answer to `err` (`what` failed), logged when it is the service's trouble or a check that belongs to the envelopes. */
function failure(err: FastifyError | Error, log: FastifyBaseLogger, what: string): Failure {
  const status = statusOf(err);
  if (status >= 500 && !(err instanceof IngestionBusyError)) log.error({ err }, `ingestion: ${what} failed`);
  const dataException = status === 400 && isDataException(err);
  // A value the envelope checks let through: worth knowing, as the check belongs there.
  if (dataException) log.warn({ err }, `ingestion: ${what}: the metadata database refused a value`);
  const error = err instanceof IngestionBusyError ? 'busy' : status === 503 ? 'storage failure' : status >= 500 ? 'internal error' : 'rejected';
  const message = dataException ? `the metadata database refused a value: ${err.message}` : err.message;
  return { statusCode: status, error, message };
}

const STORED = { statusCode: 200 } as const;

export async function ingestionRoutes(app: FastifyInstance, options: IngestionOptions): Promise<void> {
  const { metadata, objects, maxBodyBytes } = options;
  const streamOwners = new RecentIds<string>(KNOWN_STREAMS);
  const blocks = new BlockWriter(metadata, objects);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = failure(err, request.log, request.url);
    void reply.code(answer.statusCode).send(answer);
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

  /** Refuses a block whose stream is unknown or belongs to another process. */
  const checkOwner = async (block: BlockRecord): Promise<void> => {
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
  };

  /** Records a checked block: the payload first, then the row that makes it visible (./block-writer.ts). */
  const storeBlock = async (block: BlockRecord): Promise<void> => {
    const written = await blocks.write(block, encodeBlockPayload(block.payload)).catch((err: unknown) => {
      if (err instanceof UnknownStreamError) streamOwners.forget(block.stream_id);
      throw err;
    });
    // A block id already recorded: a resend of this very block, or a 409.
    if (!written.inserted) await confirmResend(metadata, objects, written.stored);
  };

  app.post('/insert_block', route, async (request, reply) => {
    const block = readBlock(body(request));
    await checkOwner(block);
    await storeBlock(block);
    return reply.code(200).send();
  });

  app.post('/insert_blocks', route, async (request, reply) => {
    const envelopes = readBlockBatch(body(request));
    const checked = await Promise.allSettled(envelopes.map(async (envelope) => {
      const block = checkBlock(envelope);
      await checkOwner(block);
      return block;
    }));
    // Then stored all at once, so that they share a pack and a row group (./group-commit.ts).
    const settled = await Promise.allSettled(checked.map(async (outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      await storeBlock(outcome.value);
    }));
    const results = settled.map((outcome, i) => outcome.status === 'fulfilled'
      ? STORED : failure(outcome.reason as Error, request.log, `${request.url} block ${i}`));
    if (results.every((result) => result.statusCode >= 500)) {
      const first = results[0] as Failure;
      return reply.code(503).send({
        statusCode: 503, error: 'storage failure', message: `none of the ${results.length} blocks could be stored: ${first.message}`, results,
      });
    }
    return reply.code(200).send({ results });
  });
}
