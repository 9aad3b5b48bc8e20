import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListenAddress } from '../config.js';
import { FileObjectStore } from '../lake/object-store/file.js';
import { createQueryEngine } from '../query/duckdb-engine.js';
import type { QueryEngine } from '../query/engine.js';
import type { ServiceContext } from '../service/context.js';
import type { RunningRole } from '../service/role.js';
import type { ViewSetInfo } from '../views/catalog.js';
import { createViewCatalog } from '../views/lakehouse-catalog.js';

/**
 * The query side of a running service: the lakehouse catalog (just-in-time materialization) and a
 * locked-down DuckDB engine over its partition files. The flightsql and gateway roles share one per
 * service context (one DuckDB, one partition cache); the last role to stop closes it.
 * This lives here until ServiceContext offers the engine itself.
 */
export interface LakehouseQuery {
  engine: QueryEngine;
  viewSets(): ViewSetInfo[];
  release(): Promise<void>;
}

interface Shared {
  engine: QueryEngine;
  viewSets(): ViewSetInfo[];
  close(): Promise<void>;
  users: number;
}

const shared = new WeakMap<ServiceContext, Promise<Shared>>();

async function open(context: ServiceContext): Promise<Shared> {
  const cacheDir = join(context.config.dataDir, 'cache');
  await mkdir(cacheDir, { recursive: true });
  const objects = context.objects();
  const catalog = await createViewCatalog({ metadata: await context.metadata(), objects, cacheDir });
  try {
    // Partitions of a file:// lake are read in place; remote ones come through the cache.
    const allowedDirs = objects instanceof FileObjectStore ? [cacheDir, objects.root] : [cacheDir];
    const engine = await createQueryEngine({ catalog, allowedDirs });
    return {
      engine,
      viewSets: () => catalog.viewSets(),
      close: async () => {
        await engine.close();
        await catalog.close();
      },
      users: 0,
    };
  } catch (err) {
    await catalog.close();
    throw err;
  }
}

async function acquireLakehouseQuery(context: ServiceContext): Promise<LakehouseQuery> {
  let opening = shared.get(context);
  if (!opening) {
    opening = open(context);
    shared.set(context, opening);
    opening.catch(() => shared.delete(context)); // a later role may retry
  }
  const lake = await opening;
  lake.users += 1;
  let released = false;
  return {
    engine: lake.engine,
    viewSets: lake.viewSets,
    async release() {
      if (released) return;
      released = true;
      lake.users -= 1;
      if (lake.users === 0) {
        shared.delete(context);
        await lake.close();
      }
    },
  };
}

/** Starts a role on the shared query engine; stopping the role (or failing to start) releases it. */
export async function withLakehouseQuery(
  context: ServiceContext, start: (lake: LakehouseQuery) => Promise<RunningRole>,
): Promise<RunningRole> {
  const lake = await acquireLakehouseQuery(context);
  try {
    const running = await start(lake);
    return {
      ...running,
      async stop() {
        await running.stop();
        await lake.release();
      },
    };
  } catch (err) {
    await lake.release();
    throw err;
  }
}

/**
 * Where a role listens: its section of the configuration when the configuration has one (e.g.
 * `config.flightsql`), the role's default otherwise.
 */
export function roleAddress(context: ServiceContext, section: 'flightsql' | 'gateway', fallback: ListenAddress): ListenAddress {
  return (context.config as unknown as Partial<Record<typeof section, ListenAddress>>)[section] ?? fallback;
}
