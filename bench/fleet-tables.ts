/**
 * The metadata tables of a fleet run's backend as it ends: size on disk (with indexes) and rows,
 * live and dead as the statistics count them. On PGlite the backend holds the database, so it is
 * stopped first, and its statistics do not survive that (PGlite drops them on close): dead rows
 * and VACUUMs run are then unknown, sizes still tell.
 */
import { join } from 'node:path';
import pg from 'pg';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import type { SqlExecutor } from '@micromegas/backend/lake/metadata/store';
import { executorOf } from '@micromegas/backend/lake/metadata/executor';
import { VACUUMED_TABLES } from '@micromegas/backend/maintenance/vacuum/vacuum';
import type { Backend } from './fleet-backend.js';

export interface TableFigures {
  table: string;
  KiB: number;
  live: number;
  /** undefined where the statistics were lost (PGlite, after its stop). */
  dead: number | undefined;
  vacuums: number | undefined;
}

async function figures(db: SqlExecutor, statsKept: boolean): Promise<TableFigures[]> {
  const rows = await db.query<{ table: string; bytes: number; live: number; dead: number; vacuums: number }>(
    `SELECT t.name AS table, pg_total_relation_size(to_regclass(t.name)) AS bytes, s.n_live_tup AS live, s.n_dead_tup AS dead,
       s.vacuum_count AS vacuums
     FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i) JOIN pg_stat_user_tables s ON s.relid = to_regclass(t.name) ORDER BY t.i`,
    [[...VACUUMED_TABLES]]);
  const counted = await Promise.all(rows.map(async (r) => {
    const [n] = await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${r.table}`);
    return Number(n!.n);
  }));
  return rows.map((r, i) => ({
    table: r.table, KiB: Math.round(Number(r.bytes) / 1024), live: counted[i]!, dead: statsKept ? Number(r.dead) : undefined, vacuums: statsKept ? Number(r.vacuums) : undefined,
  }));
}

/** `dataDir`: the backend's MICROMEGAS_DATA_DIR. Stops a PGlite backend. */
export async function metadataTables(backend: Backend, dataDir: string): Promise<TableFigures[]> {
  if (backend.postgres !== undefined) {
    const client = new pg.Client({ connectionString: backend.postgres.connectionString, options: `-c search_path=${backend.postgres.schema}` });
    await client.connect();
    try {
      return await figures(executorOf(client), true);
    } finally {
      await client.end();
    }
  }
  await backend.halt();
  const db = await openMetadataStore({ kind: 'pglite', dataDir: join(dataDir, 'pg') });
  try {
    return await figures(db, false);
  } finally {
    await db.close();
  }
}
