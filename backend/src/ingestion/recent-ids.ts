/**
 * A bounded memo of ids already seen in the database (stream → its process, known processes), so
 * that the block path does not query PostgreSQL for every block of a stream. Rows are never updated,
 * so a remembered answer stays true; the oldest entries go first when full.
 */
export class RecentIds<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get(id: string): V | undefined {
    return this.#entries.get(id);
  }

  remember(id: string, value: V): void {
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, value);
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}
