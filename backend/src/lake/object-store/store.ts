/**
 * One object-store interface over `file://` (atomic temp+rename) and `s3://`.
 * Keys are `/`-separated relative paths such as `packs/2026/12/06/14/{uuid}` (../telemetry/payload.ts).
 */
export interface ObjectStore {
  /** The URI it was opened from, for messages. */
  readonly uri: string;
  /** Writes `body` unless `key` exists; returns false when it already existed (idempotent writes). */
  putIfAbsent(key: string, body: Uint8Array): Promise<boolean>;
  /** Writes or replaces `key` atomically: a reader sees the old object or the new one, never a part. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Throws ObjectNotFoundError when absent. */
  get(key: string): Promise<Uint8Array>;
  /**
   * The `length` bytes at `offset` (packed block payloads, see ../telemetry/payload.ts). Throws
   * ObjectNotFoundError when absent, ObjectStoreError when the object ends before the range does.
   */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  /** Removes `key`; absent is not an error. */
  delete(key: string): Promise<void>;
  /** Keys under `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /** Cheap check that the store is reachable and writable, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
