/**
 * In-process deduplication of concurrent builds: a second caller asking for a key that is being
 * built waits for that build instead of starting its own. (Across processes, the partition table's
 * primary key keeps one row per partition.)
 */
export class SingleFlight {
  readonly #running = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running !== undefined) return running as Promise<T>;
    const promise = fn().finally(() => this.#running.delete(key));
    this.#running.set(key, promise);
    return promise;
  }
}
