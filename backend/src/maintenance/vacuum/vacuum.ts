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
import type { MetadataStore, SqlExecutor } from '../../lake/metadata/store.js';
import { upkeepOf, type TableActivity } from './upkeep.js';

/**
 * What churns: partitions replaced by every merge, expired files listed and swept, blocks, streams
 * and processes deleted by retention (and inserted without end). The other tables are written
 * rarely, or are one row updated in place (maintenance_leases, source_changes: HOT updates that page
 * pruning keeps within one page).
 */
export const VACUUMED_TABLES: readonly string[] = ['lakehouse_partitions', 'lakehouse_expired_files', 'blocks', 'streams', 'processes'];

/**
 * Past this age of the database's oldest unfrozen transaction id, PGlite gets a database-wide VACUUM
 * (FREEZE) (vacuum_freeze_table_age's default). PostgreSQL freezes on its own even with autovacuum
 * off (autovacuum_freeze_max_age); PGlite never does, and stops taking writes near 2 billion: at a
 * transaction per ingestion request, 300 processes reach that in about 80 days. Whole, because the
 * catalogs and the tables not tended here count too; about every week at that pace.
 */
export const FREEZE_AGE = 150_000_000;

export interface VacuumOptions {
  tables?: readonly string[];
  /** FREEZE_AGE unless given (tests). */
  freezeAge?: number;
}

export interface VacuumReport {
  /** The age of the oldest unfrozen transaction id that made PGlite's whole database be frozen, else undefined. */
  frozeDatabaseAt: number | undefined;
  vacuumed: string[];
  /** Analyzed, alone or with their VACUUM. */
  analyzed: string[];
  /** Dead tuples the vacuumed tables held before (the statistics' estimate). */
  deadTuples: number;
}

/** A VACUUM or ANALYZE that failed, with its statement (and so its table). */
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

export async function vacuumMetadata(db: MetadataStore, options: VacuumOptions = {}): Promise<VacuumReport> {
  const report: VacuumReport = { frozeDatabaseAt: undefined, vacuumed: [], analyzed: [], deadTuples: 0 };
  if (db.kind === 'pglite') {
    const [row] = await db.query<{ age: number }>('SELECT age(datfrozenxid) AS age FROM pg_database WHERE datname = current_database()');
    const age = Number(row!.age);
    if (age > (options.freezeAge ?? FREEZE_AGE)) {
      await run(db, 'VACUUM (FREEZE, SKIP_LOCKED, TRUNCATE false)');
      report.frozeDatabaseAt = age;
    }
  }
  for (const activity of await tableActivity(db, options.tables ?? VACUUMED_TABLES)) {
    const { vacuum, analyze } = upkeepOf(activity);
    if (!vacuum && !analyze) continue;
    const statement = vacuum
      ? `VACUUM (FREEZE, SKIP_LOCKED, TRUNCATE false${analyze ? ', ANALYZE' : ''}) ${activity.table}`
      : `ANALYZE (SKIP_LOCKED) ${activity.table}`;
    await run(db, statement);
    if (vacuum) {
      report.vacuumed.push(activity.table);
      report.deadTuples += activity.deadTuples;
    }
    if (analyze) report.analyzed.push(activity.table);
  }
  return report;
}

async function run(db: SqlExecutor, statement: string): Promise<void> {
  await db.query(statement).catch((err: unknown) => { throw new VacuumError(statement, err); });
}
