/**
 * One process at a time may open an embedded database directory: PGlite does not guard it, and two
 * writers corrupt it. The lock is a file next to the directory holding the owner's pid; a lock whose
 * process is gone (a crash) is taken over.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { isProcessAlive } from '../process-alive.js';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`${dataDir} is in use by process ${pid}: stop it first, or give this one its own MICROMEGAS_DATA_DIR`);
  }
}

/** Takes the lock of `dataDir`; resolves to its release. Throws DataDirLockedError. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  for (;;) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => unlink(path).catch(() => {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && isProcessAlive(owner)) throw new DataDirLockedError(dataDir, owner);
    await unlink(path).catch(() => {}); // stale or unreadable: its owner is gone
  }
}
