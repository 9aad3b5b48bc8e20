/**
 * Coalesces concurrent writes into one: items written in the same turn of the event loop (the
 * blocks of one insert_blocks request) go together, and while a batch is being written new items
 * wait and go together in the next one, so an idle writer adds no delay (a microtask) and a busy one
 * pays one commit (or one object write) per batch instead of one per item. When a batch fails, its items are by default
 * retried one by one so that each caller gets its own outcome: one block of an unknown stream must
 * not fail the blocks that arrived with it. Each item gets its own result (`writeBatch` returns one
 * per item, in order). With `minIntervalMs`, a batch starts no sooner than that after the previous
 * one started: a busy writer gathers bigger batches, an idle one still writes at once.
 */
interface Waiter<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface BatchLimits<T> {
  maxItems: number;
  /** With `weight`, a batch also stops before its total weight would pass `maxWeight` (its first item always goes). */
  maxWeight?: number;
  weight?: (item: T) => number;
  minIntervalMs?: number;
  /** false: a failed batch fails all its items (the retry would repeat the same work); default true. */
  retrySingly?: boolean;
}

export class GroupCommit<T, R = void> {
  #pending: Waiter<T, R>[] = [];
  #writing = false;
  #lastStart = -Infinity;

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<R[]>,
    private readonly limits: BatchLimits<T>,
  ) {}

  write(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      queueMicrotask(() => void this.#drain());
    });
  }

  /** The next batch: up to `maxItems`, and within `maxWeight`. */
  #take(): Waiter<T, R>[] {
    const { maxItems, maxWeight = Infinity, weight } = this.limits;
    let count = Math.min(maxItems, this.#pending.length);
    if (weight !== undefined) {
      let total = 0;
      for (let i = 0; i < count; i++) {
        total += weight(this.#pending[i]!.item);
        if (total > maxWeight && i > 0) count = i;
      }
    }
    return this.#pending.splice(0, count);
  }

  async #drain(): Promise<void> {
    const { minIntervalMs = 0, retrySingly = true } = this.limits;
    while (this.#pending.length > 0) {
      const wait = this.#lastStart + minIntervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.#lastStart = performance.now();
      const batch = this.#take();
      try {
        const results = await this.writeBatch(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1 || !retrySingly) for (const w of batch) w.reject(err);
        else for (const w of batch) await this.writeBatch([w.item]).then(([result]) => w.resolve(result!), w.reject);
      }
    }
    this.#writing = false;
  }
}
