/**
 * Bounds the memory request bodies take: each request reserves its announced size (the body cap when
 * it announces none) before its body is read, and gives it back when its response is done or its
 * connection closes. One that does not fit gets 503 with Retry-After at once, its body unread, so
 * many senders of large bodies queue on their side instead of in this process. A request is always
 * let in when nothing else is in flight, so a body up to the cap can never be refused forever.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IngestionBusyError } from './errors.js';

/** Seconds a refused sender is asked to wait (the SDK backs off further on its own). */
const RETRY_AFTER_SECONDS = 1;

export function admitBodies(app: FastifyInstance, limits: { maxBodyBytes: number; maxInFlightBytes: number }): void {
  let inFlight = 0;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const announced = Number(request.headers['content-length']);
    const bytes = Number.isSafeInteger(announced) && announced >= 0 ? Math.min(announced, limits.maxBodyBytes) : limits.maxBodyBytes;
    if (inFlight > 0 && inFlight + bytes > limits.maxInFlightBytes) {
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      throw new IngestionBusyError(inFlight, bytes, limits.maxInFlightBytes);
    }
    inFlight += bytes;
    reply.raw.once('close', () => { inFlight -= bytes; });
  });
}
