/**
 * For tests: the same test body runs against a `file://` store in a temporary directory and an
 * `s3://` store served by s3rver on a loopback port chosen by the OS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import S3rver from 's3rver';
import type { ObjectStore } from './store.js';
import { openObjectStore, type S3Options } from './open.js';

export interface TestObjectStore {
  store: ObjectStore;
  /** What opens the same store again (e.g. for a server under test). */
  uri: string;
  s3: S3Options;
  /** Closes the store, stops its server, removes its files. */
  drop(): Promise<void>;
}

export interface TestObjectBackend {
  name: 'file' | 's3';
  open(): Promise<TestObjectStore>;
}

const BUCKET = 'micromegas-test';

export const testObjectBackends: readonly TestObjectBackend[] = [
  {
    name: 'file',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'mm-objects-'));
      const uri = pathToFileURL(dir).href;
      const store = openObjectStore(uri);
      return {
        store, uri, s3: {},
        async drop() {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 's3',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'mm-s3rver-'));
      const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
      const { port } = await server.run();
      const uri = `s3://${BUCKET}/lake`;
      const s3: S3Options = {
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      };
      const store = openObjectStore(uri, { s3 });
      return {
        store, uri, s3,
        async drop() {
          await store.close();
          await server.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
