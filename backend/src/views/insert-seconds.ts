/**
 * The SQL behind ./source-memory.ts: what the selected blocks of each insert second hold, from when
 * on insert seconds may still get blocks, and the latest event time of the blocks inserted before a
 * point.
 */
import type { SqlExecutor } from '../lake/metadata/store.js';
import type { RangeSources } from './segment-refresh.js';
import { selectedBlocks, where, type BlockSelection } from './source-blocks.js';
import { sourcesColumns, toRangeSources, type SourcesRow } from './source-summaries.js';

/** One insert second's selected blocks, summarized. */
export interface SecondSources extends RangeSources {
  /** Earliest begin and latest end of their event times, ms since the epoch (floored, ceiled). */
  minBeginMs: number;
  maxEndMs: number;
}

export interface InsertSeconds {
  /** The `source_changes` counter (migration 0006) in the same snapshot as `seconds`. */
  changes: string;
  /** Second start (ms since the epoch) → its blocks; seconds without any are absent. */
  seconds: Map<number, SecondSources>;
}

/**
 * A transaction may have started (and taken its insert time) an instant before it is listed as
 * open: seconds this close to the database's clock stay open. Queries remember closed seconds for
 * hours (./source-memory.ts), so they keep a wide margin.
 */
const LISTING_MARGIN_SECONDS = 1;

/**
 * The first insert second (ms since the epoch) that may still get blocks, or undefined when that
 * cannot be known. A block's insert_time is its transaction's start (the column's default), so a
 * second ending before the oldest transaction still open in this database (and before the clock,
 * less a margin) gets nothing more. Sessions of roles whose activity this one may not read hide
 * their transaction start: then nothing is taken for closed.
 */
export async function openSince(db: SqlExecutor, marginSeconds = LISTING_MARGIN_SECONDS): Promise<number | undefined> {
  const [row] = await db.query<{ hidden: boolean | null; open_since_ms: number | bigint | null }>(
    `SELECT bool_or(a.state IS NULL) AS hidden,
            (floor(extract(epoch FROM least(now() - make_interval(secs => $1), min(a.xact_start)))) * 1000)::int8 AS open_since_ms
     FROM pg_stat_activity a
     WHERE a.pid <> pg_backend_pid() AND a.datname = current_database() AND (a.backend_type = 'client backend' OR a.backend_type IS NULL)`,
    [marginSeconds]);
  if (row === undefined || row.hidden === true || row.open_since_ms === null) return undefined;
  return Number(row.open_since_ms);
}

/** The selected blocks inserted from `sinceMs` on, by insert second, and the changes counter. */
export async function insertSeconds(db: SqlExecutor, selection: BlockSelection, sinceMs: number): Promise<InsertSeconds> {
  const b = selectedBlocks(selection, 'b.block_id, b.stream_id, b.insert_time, b.begin_time, b.end_time', 'b.insert_time >= to_timestamp($1)', 2);
  const rows = await db.query<Partial<SourcesRow> & { changes: string; second_ms: number | bigint | null; min_begin_ms: number | bigint; max_end_ms: number | bigint }>(
    `SELECT c.changes::text AS changes, t.*
     FROM source_changes c LEFT JOIN LATERAL (
       SELECT (floor(extract(epoch FROM b.insert_time)) * 1000)::int8 AS second_ms, ${sourcesColumns('b', 'block_id')},
              floor(extract(epoch FROM min(b.begin_time)) * 1000)::int8 AS min_begin_ms,
              ceil(extract(epoch FROM max(b.end_time)) * 1000)::int8 AS max_end_ms
       FROM ${b.sql}
       GROUP BY 1) t ON true`,
    [sinceMs / 1000, ...b.params]);
  const seconds = new Map<number, SecondSources>();
  for (const r of rows) {
    if (r.second_ms === null) continue; // no block: the one row of the outer join
    seconds.set(Number(r.second_ms), { ...toRangeSources(r as SourcesRow), minBeginMs: Number(r.min_begin_ms), maxEndMs: Number(r.max_end_ms) });
  }
  return { changes: rows[0]!.changes, seconds };
}

/** The latest event time (ms, ceiled) of the selected blocks inserted before `beforeMs`; -Infinity for none. */
export async function endedBefore(db: SqlExecutor, selection: BlockSelection, beforeMs: number): Promise<number> {
  const w = where(selection, 2);
  // Down the end_time index from the newest: it stops at the first block inserted before `beforeMs`.
  const [row] = await db.query<{ end_ms: number | bigint }>(
    `SELECT ceil(extract(epoch FROM b.end_time) * 1000)::int8 AS end_ms
     FROM blocks b JOIN streams s ON s.stream_id = b.stream_id
     WHERE b.insert_time < to_timestamp($1) AND ${w.sql}
     ORDER BY b.end_time DESC LIMIT 1`,
    [beforeMs / 1000, ...w.params]);
  return row === undefined ? -Infinity : Number(row.end_ms);
}
