/**
 * Bounds the memory request bodies take. A request that announces its length reserves it before its
 * body is read; one that does not (chunked: OTel's exporters pipe their bodies) reserves its bytes
 * as they arrive. Either gives them back when its response is done or its connection closes. One
 * that does not fit gets 503 with Retry-After (at once, its body unread, when its length is known),
 * so many senders of large bodies queue on their side instead of in this process. A request is
 * always let in when nothing else is in flight, so a body up to the cap can never be refused forever.
 */
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IngestionBusyError } from './errors.js';

/** Seconds a refused sender is asked to wait (the SDK backs off further on its own). */
const RETRY_AFTER_SECONDS = 1;

export function admitBodies(app: FastifyInstance, limits: { maxBodyBytes: number; maxInFlightBytes: number }): void {
  let inFlight = 0;
  const refuse = (reply: FastifyReply, others: number, bytes: number): IngestionBusyError => {
    void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return new IngestionBusyError(others, bytes, limits.maxInFlightBytes);
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const announced = Number(request.headers['content-length']);
    if (!Number.isSafeInteger(announced) || announced < 0) return; // counted as it arrives (preParsing)
    const bytes = Math.min(announced, limits.maxBodyBytes);
    if (inFlight > 0 && inFlight + bytes > limits.maxInFlightBytes) throw refuse(reply, inFlight, bytes);
    inFlight += bytes;
    reply.raw.once('close', () => { inFlight -= bytes; });
  });

  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (request.headers['content-length'] !== undefined) return payload;
    let held = 0;
    reply.raw.once('close', () => { inFlight -= held; });
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const others = inFlight - held;
        if (others > 0 && inFlight + chunk.length > limits.maxInFlightBytes) {
          done(refuse(reply, others, held + chunk.length));
          return;
        }
        held += chunk.length;
        inFlight += chunk.length;
        done(null, chunk);
      },
    });
    payload.on('error', (err) => counted.destroy(err));
    return payload.pipe(counted);
  });
}
