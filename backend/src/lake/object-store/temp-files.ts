/**
 * Temporary files of the file object store: each store writes them in a directory of its own under
 * `<root>/.tmp`, named after its owner (`<pid>@<host>.<random>`), so that a sweep can tell what a
 * crashed writer left (kill -9 between write and rename) from what a live one is writing.
 *
 * A sweep removes: the directories of processes of this host that are gone; elsewhere (other
 * hosts sharing the directory, names it cannot read, files of older versions directly in `.tmp`),
 * only files untouched for STALE_MS, as a write lasts seconds.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../process-alive.js';

export const STALE_MS = 60 * 60 * 1000;

const OWNER = /^(\d+)@(.+)\.[0-9a-f]{8}$/;

/** A fresh owner directory name for a store opened by this process. */
export function ownerName(): string {
  return `${process.pid}@${hostname()}.${randomBytes(4).toString('hex')}`;
}

/** Whether the owner of directory `name` is known to be gone: a process of this host that is not running. */
function ownerGone(name: string): boolean {
  const m = OWNER.exec(name);
  return m !== null && m[2] === hostname() && !isProcessAlive(Number(m[1]));
}

async function removeIfStale(path: string, now: number): Promise<number> {
  try {
    if (now - (await stat(path)).mtimeMs < STALE_MS) return 0;
    await unlink(path);
    return 1;
  } catch {
    return 0; // gone meanwhile, or not ours to remove
  }
}

/** Removes what crashed writers left under `tmpRoot` (never `own`); returns how many files went. */
export async function sweepTemporaryFiles(tmpRoot: string, own: string, now = Date.now()): Promise<number> {
  let entries;
  try {
    entries = await readdir(tmpRoot, { withFileTypes: true });
  } catch {
    return 0; // no .tmp yet
  }
  let removed = 0;
  for (const entry of entries) {
    const path = join(tmpRoot, entry.name);
    if (entry.name === own) continue;
    if (!entry.isDirectory()) {
      removed += await removeIfStale(path, now);
      continue;
    }
    if (ownerGone(entry.name)) {
      removed += (await readdir(path).catch(() => [])).length;
      await rm(path, { recursive: true, force: true });
      continue;
    }
    for (const name of await readdir(path).catch(() => [])) removed += await removeIfStale(join(path, name), now);
    // Only an empty directory goes; a live owner whose directory vanished makes it again.
    if (now - (await stat(path).catch(() => ({ mtimeMs: now }))).mtimeMs >= STALE_MS) await rmdir(path).catch(() => {});
  }
  return removed;
}
