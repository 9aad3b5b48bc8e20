/**
 * When a table is due a VACUUM or an ANALYZE: autovacuum's own rules with its default settings
 * (PostgreSQL's `autovacuum_*_threshold` and `*_scale_factor`), applied by the scheduler because
 * PGlite has no autovacuum and a PostgreSQL server may run with it off. The thresholds grow with the
 * table, so a large table is visited in proportion to its changes, and one that does not change
 * (an idle server) is never visited.
 */

/** A table's changes since its last vacuum and analyze, as `pg_stat_user_tables` counts them. */
export interface TableActivity {
  table: string;
  liveTuples: number;
  deadTuples: number;
  insertedSinceVacuum: number;
  modifiedSinceAnalyze: number;
}

export interface Upkeep {
  /** Dead tuples to reclaim, or inserted pages to mark all-visible (index-only scans) and freeze. */
  vacuum: boolean;
  /** The planner's statistics are stale. */
  analyze: boolean;
}

/** autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor. */
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;
/** autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor. */
const INSERT_BASE = 1000;
const INSERT_SCALE = 0.2;
/** autovacuum_analyze_threshold, autovacuum_analyze_scale_factor. */
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;

export function upkeepOf(a: TableActivity): Upkeep {
  return {
    vacuum: a.deadTuples > VACUUM_BASE + VACUUM_SCALE * a.liveTuples || a.insertedSinceVacuum > INSERT_BASE + INSERT_SCALE * a.liveTuples,
    analyze: a.modifiedSinceAnalyze > ANALYZE_BASE + ANALYZE_SCALE * a.liveTuples,
  };
}
