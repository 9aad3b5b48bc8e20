import { resolve, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { MACROS } from './functions/macros.js';
import { quoteString } from './sql/text.js';
import { WITHOUT_FILE_CACHE } from './duckdb-memory.js';

export interface LockdownOptions {
  /** Directories the engine reads Parquet partitions from (the lake's local cache); nothing else is reachable. */
  allowedDirs: readonly string[];
  /** DuckDB memory_limit, e.g. '2GB'. */
  memoryLimit: string;
  threads?: number;
  /**
   * The engine's own folder (see lake/spill-dirs.ts) where DuckDB spills when a query outgrows
   * memoryLimit, and its size bound; without it, such a query fails instead.
   */
  spill?: { path: string; maxSize?: string | undefined };
}

/**
 * An in-memory DuckDB that can read Parquet files under `allowedDirs` and nothing else: no other
 * file, no network, no extension install or load, and a configuration no query can change afterwards.
 * The dialect's macros are defined before the lock.
 */
export async function openLockedDuckDB(options: LockdownOptions): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit,
    ...(options.threads ? { threads: String(options.threads) } : {}),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    ...WITHOUT_FILE_CACHE,
  });
  const setup = await instance.connect();
  try {
    for (const macro of MACROS) await setup.run(macro);
    // Timestamps without a zone are UTC, as the views' are, whatever the server's zone.
    await setup.run("SET GLOBAL TimeZone = 'UTC'");
    const { spill } = options;
    const dirs = [...options.allowedDirs, ...(spill ? [spill.path] : [])].map(asDirectory);
    await setup.run(`SET allowed_directories = [${dirs.map(quoteString).join(', ')}]`);
    await setup.run(`SET temp_directory = ${quoteString(spill ? resolve(spill.path) : '')}`);
    if (spill?.maxSize) await setup.run(`SET max_temp_directory_size = ${quoteString(spill.maxSize)}`);
    await setup.run('SET enable_external_access = false');
    await setup.run('SET lock_configuration = true');
  } finally {
    setup.closeSync();
  }
  return instance;
}

/** Absolute with a trailing separator, so '/lake' does not also admit '/lake-other'. */
function asDirectory(dir: string): string {
  const absolute = resolve(dir);
  return absolute.endsWith(sep) ? absolute : absolute + sep;
}
