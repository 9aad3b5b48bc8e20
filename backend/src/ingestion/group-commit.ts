/**
 * Coalesces concurrent writes into one statement: while a batch is being written, new items wait
 * and go together in the next one, so an idle writer adds no delay and a busy one pays one commit
 * per batch instead of one per item (a large saving on PGlite). When a batch fails, its items are
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

export class GroupCommit<T, R = void> {
  #pending: Waiter<T, R>[] = [];
  #writing = false;
  #lastStart = -Infinity;

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly minIntervalMs = 0,
  ) {}

  write(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#pending.length > 0) {
      const wait = this.#lastStart + this.minIntervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.#lastStart = performance.now();
      const batch = this.#pending.splice(0, this.maxBatch);
      try {
        const results = await this.writeBatch(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        else for (const w of batch) await this.writeBatch([w.item]).then(([result]) => w.resolve(result!), w.reject);
      }
    }
    this.#writing = false;
  }
}
