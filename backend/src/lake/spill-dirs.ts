/**
 * Spill folders of the process's DuckDB engines. DuckDB names its temporary files the same way in
 * every instance, so two engines spilling into one folder (the query engine and the Parquet writer of
 * one process, or two backends started from the same working directory) overwrite each other's files:
 * corrupt reads and crashes. Each engine therefore spills into a folder of its own,
 * `<root>/<pid>-<engine>-<n>`, removed when the engine closes; folders of processes that are gone
 * (killed before they could remove theirs) are swept when this process claims its first one.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isProcessAlive } from './process-alive.js';

/** Where an engine spills and how much it may write there. */
export interface SpillOptions {
  /** Parent of every engine's folder (`<data>/spill` for the server). */
  root: string;
  /** DuckDB's max_temp_directory_size for each engine (e.g. '10GB'); DuckDB's default when absent. */
  maxSize?: string | undefined;
}

/** An engine's own spill folder. */
export interface SpillDir {
  path: string;
  maxSize: string | undefined;
  remove(): Promise<void>;
}

let claimed = 0;
const swept = new Map<string, Promise<void>>();

export async function claimSpillDir(options: SpillOptions, engine: string): Promise<SpillDir> {
  const root = resolve(options.root);
  let sweeping = swept.get(root);
  if (sweeping === undefined) {
    sweeping = sweepDeadSpillDirs(root);
    swept.set(root, sweeping);
  }
  await sweeping;
  claimed += 1;
  const path = join(root, `${process.pid}-${engine}-${claimed}`);
  await rm(path, { recursive: true, force: true }); // a dead process with this same pid left it
  await mkdir(path, { recursive: true });
  return { path, maxSize: options.maxSize, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Removes the folders of processes that no longer run (a reused pid keeps its folder: harmless). */
export async function sweepDeadSpillDirs(root: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return; // no root yet: nothing to sweep
  }
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) {
      await rm(join(root, name), { recursive: true, force: true });
    }
  }
}
