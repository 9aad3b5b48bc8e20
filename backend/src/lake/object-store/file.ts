import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, mkdir, open, readFile, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { ObjectStore } from './store.js';
import { ObjectNotFoundError, ObjectStoreError, ShortObjectError, checkKey } from './errors.js';
import { ownerName, sweepTemporaryFiles } from './temp-files.js';

function hasCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

const MAX_KNOWN_DIRS = 10_000;

/** Makes a new directory entry durable: a crash must not lose an object whose key was reported written. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Objects as files under a root directory. A write goes to a temporary file under `<root>/.tmp`
 * (same file system), is flushed to disk, then appears under its key in one step: `rename` to
 * replace, `link` to create only if absent; the directory is then flushed too. Readers never see a
 * partial object, and an object reported written survives a crash (its metadata row comes after).
 * Opening a store sweeps the temporary files crashed writers left (./temp-files.ts).
 */
export class FileObjectStore implements ObjectStore {
  readonly #tmpDir: string;
  /** Directories known to exist: a stream's next block lands where its previous one did. */
  readonly #dirs = new Set<string>();
  /** The sweep started on opening: how many files it removed (0 if it failed: it is only tidying). */
  readonly swept: Promise<number>;

  constructor(readonly root: string, readonly uri: string) {
    const own = ownerName();
    this.#tmpDir = join(root, '.tmp', own);
    this.swept = sweepTemporaryFiles(join(root, '.tmp'), own).catch(() => 0);
  }

  #path(key: string): string {
    checkKey(this.uri, key);
    return join(this.root, ...key.split('/'));
  }

  /** Runs `create` (an entry in `dir`), making `dir` first unless it is known to exist. */
  async #inDir<T>(dir: string, create: () => Promise<T>): Promise<T> {
    if (!this.#dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      if (this.#dirs.size >= MAX_KNOWN_DIRS) this.#dirs.clear();
      this.#dirs.add(dir);
    }
    try {
      return await create();
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw err;
      // removed since (e.g. by retention): make it again, once
      await mkdir(dir, { recursive: true });
      return create();
    }
  }

  /** Writes `body` durably to a fresh temporary file and returns its path. */
  async #writeTemp(key: string, body: Uint8Array): Promise<string> {
    await this.swept; // once settled, a microtask: writes start after the sweep, which is then done
    const tmp = join(this.#tmpDir, randomUUID());
    const handle = await this.#inDir(this.#tmpDir, () => open(tmp, 'wx'));
    try {
      await handle.writeFile(body);
      await handle.datasync();
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw new ObjectStoreError(this.uri, key, 'write failed', { cause: err });
    } finally {
      await handle.close();
    }
    return tmp;
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const path = this.#path(key);
    const tmp = await this.#writeTemp(key, body);
    try {
      await this.#inDir(dirname(path), () => link(tmp, path));
      await syncDir(dirname(path));
      return true;
    } catch (err) {
      if (hasCode(err, 'EEXIST')) return false;
      throw new ObjectStoreError(this.uri, key, 'write failed', { cause: err });
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const tmp = await this.#writeTemp(key, body);
    try {
      await this.#inDir(dirname(path), () => rename(tmp, path));
      await syncDir(dirname(path));
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw new ObjectStoreError(this.uri, key, 'write failed', { cause: err });
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.#path(key));
    } catch (err) {
      if (hasCode(err, 'ENOENT')) throw new ObjectNotFoundError(this.uri, key, { cause: err });
      if (err instanceof ObjectStoreError) throw err;
      throw new ObjectStoreError(this.uri, key, 'read failed', { cause: err });
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    let handle;
    try {
      handle = await open(this.#path(key), 'r');
    } catch (err) {
      if (hasCode(err, 'ENOENT')) throw new ObjectNotFoundError(this.uri, key, { cause: err });
      if (err instanceof ObjectStoreError) throw err;
      throw new ObjectStoreError(this.uri, key, 'read failed', { cause: err });
    }
    try {
      const body = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(body, got, length - got, offset + got);
        if (bytesRead === 0) throw new ShortObjectError(this.uri, key, offset, length, got);
        got += bytesRead;
      }
      return body;
    } catch (err) {
      if (err instanceof ObjectStoreError) throw err;
      throw new ObjectStoreError(this.uri, key, 'read failed', { cause: err });
    } finally {
      await handle.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.#path(key))).isFile();
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return false;
      if (err instanceof ObjectStoreError) throw err;
      throw new ObjectStoreError(this.uri, key, 'stat failed', { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#path(key));
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return;
      if (err instanceof ObjectStoreError) throw err;
      throw new ObjectStoreError(this.uri, key, 'delete failed', { cause: err });
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    // Walk only the deepest directory the prefix names, then filter by the rest of it.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const start = dirKey === '' ? this.root : this.#path(dirKey);
    for await (const key of this.#walk(start, dirKey)) {
      if (key.startsWith(prefix)) yield key;
    }
  }

  async *#walk(dir: string, dirKey: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (hasCode(err, 'ENOENT') || hasCode(err, 'ENOTDIR')) return;
      throw new ObjectStoreError(this.uri, dirKey, 'list failed', { cause: err });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) yield* this.#walk(join(dir, entry.name), key);
      else if (entry.isFile()) yield key;
    }
  }

  async ping(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK);
    } catch (err) {
      throw new ObjectStoreError(this.uri, '', `root directory ${this.root}${sep} is not writable`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.swept;
    await rmdir(this.#tmpDir).catch(() => {}); // empty unless a write is still running
  }
}
