/** Base of every object-store failure: says which store and which key. */
export class ObjectStoreError extends Error {
  override name = 'ObjectStoreError';
  constructor(readonly uri: string, readonly key: string, message: string, options?: ErrorOptions) {
    super(`${uri}: ${key === '' ? '' : `'${key}': `}${message}`, options);
  }
}

export class ObjectNotFoundError extends ObjectStoreError {
  override name = 'ObjectNotFoundError';
  constructor(uri: string, key: string, options?: ErrorOptions) {
    super(uri, key, 'no such object', options);
  }
}

/** An object that ends before a range read of it does: the reader's idea of it is wrong. */
export class ShortObjectError extends ObjectStoreError {
  override name = 'ShortObjectError';
  constructor(uri: string, key: string, offset: number, length: number, got: number) {
    super(uri, key, `holds ${got} of the ${length} bytes at offset ${offset}`);
  }
}

/** A key that is not a relative `/`-separated path (empty segment, `.`/`..`, leading dot). */
export class InvalidObjectKeyError extends ObjectStoreError {
  override name = 'InvalidObjectKeyError';
  constructor(uri: string, key: string) {
    super(uri, key, 'invalid key: expected non-empty `/`-separated segments, none starting with "."');
  }
}

/** A URI `openObjectStore` cannot open. */
export class InvalidObjectStoreUriError extends Error {
  override name = 'InvalidObjectStoreUriError';
  constructor(readonly uri: string, reason: string) {
    super(`object store URI '${uri}': ${reason}`);
  }
}

/** Rejects keys that could escape the store's root or collide with its temporary files. */
export function checkKey(uri: string, key: string): void {
  if (key === '' || key.split('/').some((segment) => segment === '' || segment.startsWith('.'))) {
    throw new InvalidObjectKeyError(uri, key);
  }
}
