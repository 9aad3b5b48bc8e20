/**
 * Delivers the queue to the ingestion service, one POST at a time in priority order. Network
 * errors and 5xx responses leave the item queued and retry with exponential backoff, and so do 401
 * and 403 (a missing, wrong or revoked API key is fixed by the operator, not by dropping data); any
 * other 4xx means the service will never accept the item, so it is dropped. Nothing here throws to
 * the caller, and sockets and timers are unref'd unless a shutdown is waiting for delivery.
 */
import http from 'node:http';
import https from 'node:https';
import type { DeliveryQueue, Item } from './queue.js';

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;

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
  /** While > 0, handles stay ref'd so a pending shutdown() keeps the process alive. */
  private holds = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly base: URL,
    private readonly queue: DeliveryQueue,
    /** Called after each successful delivery (drop reporting hooks in here). */
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
    for (let item = this.queue.peek(); item !== undefined; item = this.queue.peek()) {
      this.queue.inFlight = item;
      const status = await this.post(item);
      this.queue.inFlight = undefined;
      if (this.closed) break;
      if (status >= 200 && status < 300) {
        this.queue.remove(item);
        this.stats.sent++;
        this.backoffMs = MIN_BACKOFF_MS;
        this.onDelivered();
        this.onSettled();
      } else if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
        this.queue.remove(item);
        this.stats.rejected++;
        this.onSettled();
      } else {
        this.stats.failures++;
        this.onSettled();
        this.scheduleRetry();
        this.running = false;
        this.notifyIdle();
        return;
      }
    }
    this.running = false;
    this.notifyIdle();
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

  /** Resolves to the HTTP status, or 0 for a network error or timeout. Never rejects. */
  private post(item: Item): Promise<number> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number): void => {
        if (!settled) {
          settled = true;
          resolve(status);
        }
      };
      try {
        const req = this.client.request(new URL(item.path, this.base), {
          method: 'POST',
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { ...this.headers, 'content-type': 'application/cbor', 'content-length': item.body.byteLength },
        });
        req.on('socket', (socket) => {
          if (this.holds === 0) socket.unref();
          else socket.ref();
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', () => done(0));
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => done(0));
        req.end(item.body);
      } catch {
        done(0);
      }
    });
  }
}
