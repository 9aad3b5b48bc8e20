/**
 * Delivers the queue to the ingestion service, one POST at a time in priority order: metadata items
 * alone, the blocks queued by then together in one insert_blocks request (./batch.ts), since the
 * service pays per request as much as per block. Network errors and 5xx leave an item queued and
 * retry with exponential backoff, and so do 401 and 403 (a missing, wrong or revoked API key is
 * fixed by the operator, not by dropping data); any other 4xx means the service will never accept
 * the item, so it is dropped. insert_blocks answers for each block; a service without it (404) gets
 * one block a request from then on. Nothing here throws to the caller, and sockets and timers are
 * unref'd unless a shutdown is waiting for delivery.
 */
import http from 'node:http';
import https from 'node:https';
import type { DeliveryQueue, Item } from './queue.js';
import { BATCH_PATH, batchBody, batchStatuses, MAX_BATCH_ITEMS } from './batch.js';

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Block bytes in one insert_blocks request; a 413 lowers it (the service's body cap may be lower). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

interface Answer {
  /** The HTTP status, 0 for a network error or timeout. */
  status: number;
  body: Buffer;
}

export interface SenderStats {
  sent: number;
  rejected: number;
  failures: number;
}

export class HttpSender {
  readonly stats: SenderStats = { sent: 0, rejected: 0, failures: 0 };
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private running = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  /** False once the service answered insert_blocks with 404: an older one, which takes a block a request. */
  private batching = true;
  private maxBatchBytes = MAX_BATCH_BYTES;
  /** While > 0, handles stay ref'd so a pending shutdown() keeps the process alive. */
  private holds = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly base: URL,
    private readonly queue: DeliveryQueue,
    /** Called after each request that delivered something (drop reporting hooks in here). */
    private readonly onDelivered: () => void,
    /** Sent with every request (the API key). */
    private readonly headers: Readonly<Record<string, string>> = {},
    /** Called after each attempt, whatever its outcome (counters are published from here). */
    private readonly onSettled: () => void = () => {},
  ) {
    this.client = base.protocol === 'https:' ? https : http;
    this.agent = new this.client.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Starts sending if idle. */
  kick(): void {
    if (this.closed || this.running || this.retryTimer !== undefined) return;
    this.running = true;
    void this.pump();
  }

  /** Keeps the process alive and retries promptly until the queue is empty or `deadline`. */
  async drain(deadline: number): Promise<boolean> {
    this.holds++;
    // Someone is waiting now: retry at once instead of sitting out the backoff.
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.backoffMs = MIN_BACKOFF_MS;
    try {
      while (this.queue.peek() !== undefined && Date.now() < deadline) {
        this.kick();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
          function finish(): void {
            clearTimeout(timer);
            waiters.delete(finish);
            resolve();
          }
          const waiters = this.idleWaiters;
          waiters.add(finish);
        });
      }
      return this.queue.peek() === undefined;
    } finally {
      this.holds--;
      if (this.holds === 0) this.unrefRetry();
    }
  }

  /** A retry scheduled while draining was ref'd; once nobody waits it must not hold the process. */
  private unrefRetry(): void {
    this.retryTimer?.unref();
  }

  /** Stops retrying and closes idle sockets. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.agent.destroy();
  }

  private notifyIdle(): void {
    for (const resolve of [...this.idleWaiters]) resolve();
  }

  private async pump(): Promise<void> {
    for (let items = this.next(); items.length > 0; items = this.next()) {
      for (const item of items) this.queue.inFlight.add(item);
      const statuses = await this.send(items);
      this.queue.inFlight.clear();
      if (this.closed) break;
      if (statuses === undefined) continue; // to be sent another way, at once
      const settled = this.settle(items, statuses);
      this.onSettled();
      if (!settled) {
        this.stats.failures++;
        this.scheduleRetry();
        this.running = false;
        this.notifyIdle();
        return;
      }
    }
    this.running = false;
    this.notifyIdle();
  }

  private next(): Item[] {
    return this.queue.peekBlocks(this.batching ? MAX_BATCH_ITEMS : 1, this.maxBatchBytes);
  }

  /** Each item's status, or undefined when the items are to be sent again in smaller requests. */
  private async send(items: Item[]): Promise<number[] | undefined> {
    if (items.length === 1) return [(await this.post(items[0]!.path, items[0]!.body)).status];
    const body = batchBody(items);
    const answer = await this.post(BATCH_PATH, body);
    if (answer.status === 404) {
      this.batching = false;
      return undefined;
    }
    if (answer.status === 413) {
      this.maxBatchBytes = Math.floor(body.byteLength / 2);
      return undefined;
    }
    // A 200 that lists no results came from something else than the service: worth a retry.
    if (answer.status === 200) return batchStatuses(answer.body, items.length) ?? items.map(() => 0);
    return items.map(() => answer.status);
  }

  /** Removes the items delivered or refused for good; false if some stay queued for a retry. */
  private settle(items: Item[], statuses: number[]): boolean {
    let delivered = false;
    let retry = false;
    items.forEach((item, i) => {
      const status = statuses[i]!;
      if (status >= 200 && status < 300) {
        this.queue.remove(item);
        this.stats.sent++;
        delivered = true;
      } else if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
        this.queue.remove(item);
        this.stats.rejected++;
      } else {
        retry = true;
      }
    });
    if (delivered) {
      this.backoffMs = MIN_BACKOFF_MS;
      this.onDelivered();
    }
    return !retry;
  }

  private scheduleRetry(): void {
    const delay = this.holds > 0 ? MIN_BACKOFF_MS : this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    if (this.holds === 0) this.retryTimer.unref();
  }

  /** Never rejects. */
  private post(path: string, body: Uint8Array): Promise<Answer> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number, answer = Buffer.alloc(0)): void => {
        if (!settled) {
          settled = true;
          resolve({ status, body: answer });
        }
      };
      try {
        const req = this.client.request(new URL(path, this.base), {
          method: 'POST',
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { ...this.headers, 'content-type': 'application/cbor', 'content-length': body.byteLength },
        });
        req.on('socket', (socket) => {
          if (this.holds === 0) socket.unref();
          else socket.ref();
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks)));
          res.on('error', () => done(0));
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => done(0));
        req.end(body);
      } catch {
        done(0);
      }
    });
  }
}
