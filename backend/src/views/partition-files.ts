/**
 * Where partition files live: written once to the object store under `views/{set}/{instance}/…`
 * (names are unique per build, so a file never changes), read in place from a `file://` store, and
 * through a size-bounded local cache (least recently used out first) from any other store.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileObjectStore } from '../lake/object-store/file.js';
import type { ObjectStore } from '../lake/object-store/store.js';

/** By default a cached file used in the last minute is not evicted: a query may be about to read it. */
const IN_USE_MS = 60_000;

interface CacheEntry {
  size: number;
  lastUsed: number;
}

export class PartitionFiles {
  readonly #entries = new Map<string, CacheEntry>();
  #cachedBytes = 0;
  #loaded: Promise<void> | undefined;

  constructor(
    private readonly objects: ObjectStore,
    private readonly cacheDir: string,
    private readonly maxCacheBytes: number,
    private readonly inUseMs = IN_USE_MS,
  ) {}

  /**
   * Object key of a new partition file: named by its insert range and unique to its build, so a file
   * never changes once written and a rebuild never overwrites (nor revives) a file being read or
   * waiting out its grace period.
   */
  static key(viewSet: string, instanceId: string, begin: Date, end: Date): string {
    const safeInstance = encodeURIComponent(instanceId).replaceAll('.', '%2E');
    return `views/${viewSet}/${safeInstance}/${begin.getTime() / 1000}-${end.getTime() / 1000}-${randomUUID()}.parquet`;
  }

  /** A scratch path to write a new file to before `publish`. */
  scratchPath(name: string): string {
    return join(this.cacheDir, '.scratch', name);
  }

  async ensureScratchDir(): Promise<void> {
    await mkdir(join(this.cacheDir, '.scratch'), { recursive: true });
  }

  /** Uploads the freshly written `localPath` under `key`; keeps it as a cache entry when useful. */
  async publish(key: string, localPath: string): Promise<number> {
    const body = await readFile(localPath);
    await this.objects.put(key, body);
    if (this.objects instanceof FileObjectStore) {
      await rm(localPath, { force: true });
    } else {
      await this.#load();
      const cached = join(this.cacheDir, key);
      await mkdir(dirname(cached), { recursive: true });
      await rename(localPath, cached);
      this.#remember(key, body.byteLength);
      await this.#evict();
    }
    return body.byteLength;
  }

  /** A local path to read `key` from, downloading it into the cache when needed. */
  async localPath(key: string): Promise<string> {
    if (this.objects instanceof FileObjectStore) return join(this.objects.root, ...key.split('/'));
    await this.#load();
    const path = join(this.cacheDir, key);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.lastUsed = Date.now();
      return path;
    }
    const body = await this.objects.get(key);
    const tmp = this.scratchPath(`${process.pid}-${Math.random().toString(36).slice(2)}`);
    await this.ensureScratchDir();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, body);
    await rename(tmp, path);
    this.#remember(key, body.byteLength);
    await this.#evict();
    return path;
  }

  /** Removes a file from the store and the cache (absent is fine). */
  async delete(key: string): Promise<void> {
    await this.objects.delete(key);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#cachedBytes -= entry.size;
      await rm(join(this.cacheDir, key), { force: true });
    }
  }

  get cachedBytes(): number {
    return this.#cachedBytes;
  }

  #remember(key: string, size: number): void {
    const old = this.#entries.get(key);
    if (old !== undefined) this.#cachedBytes -= old.size;
    this.#entries.set(key, { size, lastUsed: Date.now() });
    this.#cachedBytes += size;
  }

  async #evict(): Promise<void> {
    if (this.#cachedBytes <= this.maxCacheBytes) return;
    const now = Date.now();
    const candidates = [...this.#entries].filter(([, e]) => now - e.lastUsed >= this.inUseMs).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, entry] of candidates) {
      if (this.#cachedBytes <= this.maxCacheBytes) break;
      this.#entries.delete(key);
      this.#cachedBytes -= entry.size;
      await rm(join(this.cacheDir, key), { force: true });
    }
  }

  /** Picks up what an earlier run left in the cache directory (its mtime stands for last use). */
  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const root = join(this.cacheDir, 'views');
      const walk = async (dir: string, prefix: string): Promise<void> => {
        let names: string[];
        try { names = await readdir(dir); } catch { return; }
        for (const name of names) {
          const path = join(dir, name);
          const info = await stat(path);
          if (info.isDirectory()) await walk(path, `${prefix}${name}/`);
          else this.#entries.set(`${prefix}${name}`, { size: info.size, lastUsed: info.mtimeMs - this.inUseMs });
        }
      };
      await walk(root, 'views/');
      for (const e of this.#entries.values()) this.#cachedBytes += e.size;
    })();
    return this.#loaded;
  }
}
