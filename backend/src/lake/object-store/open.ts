import { fileURLToPath } from 'node:url';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ObjectStore } from './store.js';
import { FileObjectStore } from './file.js';
import { S3ObjectStore, s3ClientConfig } from './s3.js';
import { InvalidObjectStoreUriError } from './errors.js';

export interface S3Options {
  /** S3-compatible endpoint (MinIO, s3rver), e.g. http://127.0.0.1:9001. Absent: AWS. */
  endpoint?: string;
  region?: string;
  /** Default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Default: the AWS SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, …). */
  credentials?: S3ClientConfig['credentials'];
}

/** Opens `file:///abs/dir` or `s3://bucket[/prefix]`. Nothing is contacted until first use. */
export function openObjectStore(uri: string, options: { s3?: S3Options } = {}): ObjectStore {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidObjectStoreUriError(uri, 'not a URI');
  }
  if (url.protocol === 'file:') {
    if (url.host !== '') throw new InvalidObjectStoreUriError(uri, 'file URIs take no host: file:///absolute/path');
    return new FileObjectStore(fileURLToPath(url), uri);
  }
  if (url.protocol === 's3:') {
    if (url.hostname === '') throw new InvalidObjectStoreUriError(uri, 'missing bucket: s3://bucket/prefix');
    const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    const prefix = path === '' ? '' : `${path}/`;
    return new S3ObjectStore(new S3Client(s3ClientConfig(options.s3 ?? {})), url.hostname, prefix, uri);
  }
  throw new InvalidObjectStoreUriError(uri, `unsupported scheme '${url.protocol}': expected file:// or s3://`);
}
