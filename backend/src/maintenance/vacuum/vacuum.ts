/**
 * The `vacuum` chore: VACUUM and ANALYZE the metadata tables that churn or grow, each only when
 * `upkeepOf` says it is due. Without it, on PGlite (no autovacuum) or a PostgreSQL with autovacuum
 * off, the rows replaced by every partition merge, swept expired files and blocks deleted by
 * retention stay in the tables and indexes forever, and the planner never gets statistics.
 *
 * Plain VACUUM takes no lock that ingestion or queries wait on (never VACUUM FULL); TRUNCATE false
 * keeps it from taking the short exclusive lock that gives empty trailing pages back (the space is
 * reused anyway), and SKIP_LOCKED passes over a table another VACUUM (an autovacuum worker) holds.
 * VACUUM cannot run in a transaction block: each statement goes alone through `query`.
 */
import type { SqlExecutor } from '../../lake/metadata/store.js';
import { upkeepOf, type TableActivity } from './upkeep.js';

/**
 * What churns: partitions replaced by every merge, expired files listed and swept, blocks, streams
 * and processes deleted by retention (and inserted without end). The other tables are written
 * rarely, or are one row updated in place (maintenance_leases, source_changes: HOT updates that page
 * pruning keeps within one page).
 */
export const VACUUMED_TABLES: readonly string[] = ['lakehouse_partitions', 'lakehouse_expired_files', 'blocks', 'streams', 'processes'];

export interface VacuumReport {
  vacuumed: string[];
  /** Analyzed, alone or with their VACUUM. */
  analyzed: string[];
  /** Dead tuples the vacuumed tables held before (the statistics' estimate). */
  deadTuples: number;
}

/** A VACUUM or ANALYZE that failed, with the table it was for. */
export class VacuumError extends Error {
  override name = 'VacuumError';
  constructor(readonly statement: string, cause: unknown) {
    super(`${statement} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The tables' counts; tables of the search path's schema, like the statements that follow. */
export async function tableActivity(db: SqlExecutor, tables: readonly string[]): Promise<TableActivity[]> {
  const rows = await db.query<{ table: string; live: number; dead: number; inserted: number; modified: number }>(
    `SELECT t.name AS table, s.n_live_tup AS live, s.n_dead_tup AS dead, s.n_ins_since_vacuum AS inserted, s.n_mod_since_analyze AS modified
     FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i) JOIN pg_stat_user_tables s ON s.relid = to_regclass(t.name)
     ORDER BY t.i`,
    [[...tables]]);
  return rows.map((r) => ({
    table: r.table, liveTuples: Number(r.live), deadTuples: Number(r.dead), insertedSinceVacuum: Number(r.inserted), modifiedSinceAnalyze: Number(r.modified),
  }));
}

export async function vacuumMetadata(db: SqlExecutor, tables: readonly string[] = VACUUMED_TABLES): Promise<VacuumReport> {
  const report: VacuumReport = { vacuumed: [], analyzed: [], deadTuples: 0 };
  for (const activity of await tableActivity(db, tables)) {
    const { vacuum, analyze } = upkeepOf(activity);
    if (!vacuum && !analyze) continue;
    const statement = vacuum
      ? `VACUUM (SKIP_LOCKED, TRUNCATE false${analyze ? ', ANALYZE' : ''}) ${activity.table}`
      : `ANALYZE (SKIP_LOCKED) ${activity.table}`;
    await db.query(statement).catch((err: unknown) => { throw new VacuumError(statement, err); });
    if (vacuum) {
      report.vacuumed.push(activity.table);
      report.deadTuples += activity.deadTuples;
    }
    if (analyze) report.analyzed.push(activity.table);
  }
  return report;
}
