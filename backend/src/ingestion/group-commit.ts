/**
 * Coalesces concurrent writes into one statement: while a batch is being written, new items wait
 * and go together in the next one, so an idle writer adds no delay and a busy one pays one commit
 * per batch instead of one per item (a large saving on PGlite). When a batch fails, its items are
 * retried one by one so that each caller gets its own outcome: one block of an unknown stream must
 * not fail the blocks that arrived with it.
 */
interface Waiter<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<T> {
  #pending: Waiter<T>[] = [];
  #writing = false;

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.maxBatch);
      try {
        await this.writeBatch(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        else for (const w of batch) await this.writeBatch([w.item]).then(w.resolve, w.reject);
      }
    }
    this.#writing = false;
  }
}
