/**
 * An object store for tests that forwards everything to a real one, except that each `put` first
 * asks `beforePut`, which may throw to inject a write failure.
 */
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';

export class FaultyObjectStore implements ObjectStore {
  readonly uri: string;

  constructor(private readonly inner: ObjectStore, private readonly beforePut: (key: string) => void) {
    this.uri = inner.uri;
  }

  putIfAbsent(key: string, body: Uint8Array) { return this.inner.putIfAbsent(key, body); }
  async put(key: string, body: Uint8Array) {
    this.beforePut(key);
    return this.inner.put(key, body);
  }
  get(key: string) { return this.inner.get(key); }
  getRange(key: string, offset: number, length: number) { return this.inner.getRange(key, offset, length); }
  exists(key: string) { return this.inner.exists(key); }
  delete(key: string) { return this.inner.delete(key); }
  list(prefix: string) { return this.inner.list(prefix); }
  ping() { return this.inner.ping(); }
  close() { return this.inner.close(); }
}
