import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from './store.js';
import { ObjectNotFoundError, ObjectStoreError, ShortObjectError, checkKey } from './errors.js';

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * Objects in an S3 bucket under a key prefix. S3 PUTs are atomic, so `put` is a plain PUT.
 * `putIfAbsent` uses a conditional PUT (`If-None-Match: *`) where the server honours it (AWS S3,
 * MinIO); servers that ignore it (s3rver, older gateways) are detected once by a probe and get
 * HEAD-then-PUT instead, which is enough here because racing writers of a key write the same bytes.
 */
export class S3ObjectStore implements ObjectStore {
  #conditionalPut: Promise<boolean> | undefined;

  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    /** '' or ends with '/'. */
    readonly prefix: string,
    readonly uri: string,
  ) {}

  #key(key: string): string {
    checkKey(this.uri, key);
    return this.prefix + key;
  }

  #fail(key: string, what: string, err: unknown): never {
    throw new ObjectStoreError(this.uri, key, `${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }

  async #putNew(Key: string, Body: Uint8Array): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, IfNoneMatch: '*' }));
      return true;
    } catch (err) {
      if (status(err) === 412) return false;
      throw err;
    }
  }

  /** Whether the server rejects a second conditional PUT of a key; asked once per store. */
  #honoursConditionalPut(): Promise<boolean> {
    this.#conditionalPut ??= (async () => {
      const probe = `${this.prefix}.probe/${randomUUID()}`;
      try {
        await this.#putNew(probe, new Uint8Array());
        return !(await this.#putNew(probe, new Uint8Array()));
      } catch (err) {
        // Some servers refuse the header outright (400 or 501 NotImplemented) instead of ignoring it.
        if (status(err) === 400 || status(err) === 501) return false;
        throw err;
      } finally {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: probe })).catch(() => {});
      }
    })().catch((err: unknown) => {
      this.#conditionalPut = undefined; // ask again next time
      throw err;
    });
    return this.#conditionalPut;
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const Key = this.#key(key);
    try {
      if (await this.#honoursConditionalPut()) return await this.#putNew(Key, body);
      if (await this.exists(key)) return false;
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body }));
      return true;
    } catch (err) {
      if (err instanceof ObjectStoreError) throw err;
      this.#fail(key, 'put', err);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const Key = this.#key(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body }));
    } catch (err) {
      this.#fail(key, 'put', err);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.#key(key);
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (result.Body === undefined) throw new ObjectNotFoundError(this.uri, key);
      return await result.Body.transformToByteArray();
    } catch (err) {
      if (err instanceof ObjectStoreError) throw err;
      if (status(err) === 404) throw new ObjectNotFoundError(this.uri, key, { cause: err });
      this.#fail(key, 'get', err);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const Key = this.#key(key);
    // An empty range has no `Range` header form; the object must still be there.
    if (length === 0) {
      if (!(await this.exists(key))) throw new ObjectNotFoundError(this.uri, key);
      return new Uint8Array();
    }
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${offset}-${offset + length - 1}` }));
      if (result.Body === undefined) throw new ObjectNotFoundError(this.uri, key);
      const range = cutRange(await result.Body.transformToByteArray(), result.ContentRange, offset, length);
      if (range.byteLength !== length) throw new ShortObjectError(this.uri, key, offset, length, range.byteLength);
      return range;
    } catch (err) {
      if (err instanceof ObjectStoreError) throw err;
      if (status(err) === 404) throw new ObjectNotFoundError(this.uri, key, { cause: err });
      // 416: the range starts past the object's end.
      if (status(err) === 416) throw new ShortObjectError(this.uri, key, offset, length, 0);
      this.#fail(key, 'get', err);
    }
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.#key(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (err) {
      if (status(err) === 404) return false;
      this.#fail(key, 'head', err);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (status(err) === 404) return;
      this.#fail(key, 'delete', err);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken,
        }));
      } catch (err) {
        this.#fail(prefix, 'list', err);
      }
      for (const { Key } of page.Contents ?? []) {
        const key = Key?.slice(this.prefix.length);
        if (key !== undefined && !key.startsWith('.')) yield key;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      this.#fail('', `bucket '${this.bucket}' check`, err);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/**
 * The requested range out of what a ranged GET returned, which starts where its Content-Range says:
 * servers may send more than asked (the whole object, with or without a Content-Range: no header
 * support, or s3rver answering `bytes=0-0`).
 */
function cutRange(body: Uint8Array, contentRange: string | undefined, offset: number, length: number): Uint8Array {
  const start = contentRange === undefined ? 0 : Number(/^bytes (\d+)-/.exec(contentRange)?.[1] ?? 0);
  return body.subarray(offset - start, offset - start + length);
}

/** Client settings for an S3-compatible endpoint (MinIO, s3rver) or AWS itself. */
export function s3ClientConfig(options: { endpoint?: string; region?: string; forcePathStyle?: boolean; credentials?: S3ClientConfig['credentials'] }): S3ClientConfig {
  return {
    region: options.region ?? 'us-east-1',
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    // Custom endpoints rarely serve virtual-host-style bucket names.
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // Checksums only where S3 requires them: S3-compatible servers differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}
