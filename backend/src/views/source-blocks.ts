/**
 * The blocks a view instance is built from, read from the telemetry metadata. An instance is a
 * filter on blocks (all of them, one process's, one stream's) of streams carrying a tag; its
 * partitions slice those blocks by insert time into fixed-width segments.
 */
import type { SqlExecutor } from '../lake/metadata/store.js';
import type { SourceBlock, SourceProcess } from '../etl/sources.js';
import type { PayloadLocation } from '../lake/telemetry/payload.js';
import type { InsertRange, RangeSources, SegmentSummary, TimeBounds } from './segment-refresh.js';
import { EMPTY_SOURCE_HASH, sourceHashOverResultSql } from './source-hash.js';
import { byOrdinal, rangeParams, RANGES, sourcesColumns, toRangeSources, type SourcesRow } from './source-summaries.js';

function seconds(date: Date | undefined): number | null {
  return date === undefined ? null : date.getTime() / 1000;
}

export type InstanceFilter = { kind: 'global' } | { kind: 'process_id' | 'stream_id'; id: string };

export interface BlockSelection {
  filter: InstanceFilter;
  /** Only blocks of streams with this tag. */
  streamTag: string;
}

/** The SQL condition (on `b` blocks joined to `s` streams) and its parameters, numbered from `firstParam`. */
export function where(selection: BlockSelection, firstParam: number): { sql: string; params: string[] } {
  const tag = `$${firstParam} = ANY(s.tags)`;
  if (selection.filter.kind === 'global') return { sql: tag, params: [selection.streamTag] };
  return { sql: `${tag} AND b.${selection.filter.kind} = $${firstParam + 1}`, params: [selection.streamTag, selection.filter.id] };
}

/**
 * FROM clause of the selected blocks among those matching `bounds` (SQL on `b`): as `b` (its
 * `columns`, with stream_id) joined to its stream `s`; parameters as `where`. The bounded blocks are
 * read first, behind a fence (OFFSET 0): without it, and without statistics (a fresh or
 * never-analyzed database), the planner starts from the streams carrying the tag and probes the
 * insert-time index once per stream, some twenty times the cost of one pass over the window.
 */
export function selectedBlocks(selection: BlockSelection, columns: string, bounds: string, firstParam: number): { sql: string; params: string[] } {
  const own = selection.filter.kind === 'global' ? '' : ` AND b.${selection.filter.kind} = $${firstParam + 1}`;
  return {
    sql: `(SELECT ${columns} FROM blocks b WHERE ${bounds}${own} OFFSET 0) b
      JOIN streams s ON s.stream_id = b.stream_id AND $${firstParam} = ANY(s.tags)`,
    params: where(selection, firstParam).params,
  };
}

const SOURCES = sourcesColumns('b', 'block_id');

export class SourceBlocks {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Every segment (of `widthSeconds`) holding a selected block; with `events`, only segments holding
   * a selected block whose [begin_time, end_time] meets it; with `inserts`, only segments starting
   * in that insert range.
   */
  async segmentSummaries(selection: BlockSelection, widthSeconds: number, within: { events?: TimeBounds; inserts?: TimeBounds } = {}): Promise<SegmentSummary[]> {
    if (within.events?.begin === undefined && within.events?.end === undefined) return this.#insertSegmentSummaries(selection, widthSeconds, within.inserts ?? {});
    const w = where(selection, 6);
    // First the segments (through the time indexes), then every selected block of those segments.
    const rows = await this.db.query<SourcesRow & { segment: number | bigint; min_begin_ms: number | bigint }>(
      `WITH segments AS (
         SELECT DISTINCT floor(extract(epoch FROM b.insert_time) / $1)::int8 AS segment
         FROM blocks b JOIN streams s ON s.stream_id = b.stream_id
         WHERE ${w.sql}
           AND ($2::timestamptz IS NULL OR b.end_time >= $2) AND ($3::timestamptz IS NULL OR b.begin_time < $3)
           AND ($4::float8 IS NULL OR b.insert_time >= to_timestamp($4)) AND ($5::float8 IS NULL OR b.insert_time < to_timestamp($5))
       ), bounds AS (SELECT min(segment) AS lo, max(segment) + 1 AS hi FROM segments)
       SELECT floor(extract(epoch FROM b.insert_time) / $1)::int8 AS segment, ${SOURCES},
              floor(extract(epoch FROM min(b.begin_time)) * 1000)::int8 AS min_begin_ms
       FROM blocks b JOIN streams s ON s.stream_id = b.stream_id, bounds
       WHERE ${w.sql} AND b.insert_time >= to_timestamp(bounds.lo * $1) AND b.insert_time < to_timestamp(bounds.hi * $1)
         AND floor(extract(epoch FROM b.insert_time) / $1)::int8 IN (SELECT segment FROM segments)
       GROUP BY 1 ORDER BY 1`,
      [widthSeconds, within.events?.begin ?? null, within.events?.end ?? null,
        seconds(within.inserts?.begin), seconds(within.inserts?.end), ...w.params]);
    return rows.map((r) => ({ ...toRangeSources(r), segment: Number(r.segment), minBeginMs: Number(r.min_begin_ms) }));
  }

  /**
   * `segmentSummaries` by insert time alone (the scheduler's case), in one pass: the blocks of the
   * whole segments around `inserts`, grouped by segment, keeping the segments with a block inside.
   */
  async #insertSegmentSummaries(selection: BlockSelection, widthSeconds: number, inserts: TimeBounds): Promise<SegmentSummary[]> {
    const [begin, end] = [seconds(inserts.begin), seconds(inserts.end)];
    const b = selectedBlocks(selection, 'b.block_id, b.stream_id, b.insert_time, b.begin_time',
      '($2::float8 IS NULL OR b.insert_time >= to_timestamp($2)) AND ($3::float8 IS NULL OR b.insert_time < to_timestamp($3))', 6);
    const rows = await this.db.query<SourcesRow & { segment: number | bigint; min_begin_ms: number | bigint }>(
      `SELECT floor(extract(epoch FROM b.insert_time) / $1)::int8 AS segment, ${SOURCES},
              floor(extract(epoch FROM min(b.begin_time)) * 1000)::int8 AS min_begin_ms
       FROM ${b.sql}
       GROUP BY 1
       HAVING bool_or(($4::float8 IS NULL OR b.insert_time >= to_timestamp($4)) AND ($5::float8 IS NULL OR b.insert_time < to_timestamp($5)))
       ORDER BY 1`,
      [widthSeconds, begin === null ? null : Math.floor(begin / widthSeconds) * widthSeconds,
        end === null ? null : Math.ceil(end / widthSeconds) * widthSeconds, begin, end, ...b.params]);
    return rows.map((r) => ({ ...toRangeSources(r), segment: Number(r.segment), minBeginMs: Number(r.min_begin_ms) }));
  }

  /** What each insert range holds now among the selected blocks. */
  async rangeSources(selection: BlockSelection, ranges: readonly InsertRange[]): Promise<(RangeSources | undefined)[]> {
    const b = selectedBlocks(selection, 'b.block_id, b.stream_id, b.insert_time',
      'b.insert_time >= to_timestamp(r.b) AND b.insert_time < to_timestamp(r.e)', 3);
    const rows = await this.db.query<SourcesRow & { i: number | bigint }>(
      `SELECT r.i, ${SOURCES}
       FROM ${RANGES} CROSS JOIN LATERAL ${b.sql}
       GROUP BY r.i`,
      [...rangeParams(ranges), ...b.params]);
    return byOrdinal(ranges.length, rows);
  }

  /** The selected blocks inserted in [begin, end), in stream order, where their payloads are, and their source hash. */
  async blocksIn(selection: BlockSelection, begin: Date, end: Date): Promise<{ blocks: (SourceBlock & PayloadLocation)[]; hash: string }> {
    const columns = 'b.block_id, b.stream_id, b.process_id, b.begin_ticks, b.object_offset, b.nb_objects, b.payload_key, b.payload_offset, b.payload_size, b.insert_time';
    const b = selectedBlocks(selection, columns, 'b.insert_time >= $1 AND b.insert_time < $2', 3);
    type Row = Omit<SourceBlock, 'insert_time_us'> & PayloadLocation & { insert_time_us: number | bigint; source_hash: string };
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT b.block_id, b.stream_id, b.process_id, b.begin_ticks, b.object_offset, b.nb_objects,
              b.payload_key, b.payload_offset, b.payload_size,
              (extract(epoch FROM b.insert_time) * 1000000)::int8 AS insert_time_us, ${sourceHashOverResultSql('b.block_id')} AS source_hash
       FROM ${b.sql}
       ORDER BY b.stream_id, b.object_offset`,
      [begin, end, ...b.params]);
    return {
      blocks: rows.map(({ source_hash: _, ...r }) => ({ ...r, insert_time_us: BigInt(r.insert_time_us) })),
      hash: rows[0]?.source_hash ?? EMPTY_SOURCE_HASH,
    };
  }

  async processes(processIds: readonly string[]): Promise<SourceProcess[]> {
    type Row = Omit<SourceProcess, 'start_time_ns' | 'properties_json'> & { start_time_ns: number | bigint; properties: unknown };
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT process_id, exe, username, computer, start_time_ns, start_ticks, tsc_frequency, properties
       FROM processes WHERE process_id = ANY($1)`,
      [[...processIds]]);
    return rows.map((r) => ({
      process_id: r.process_id, exe: r.exe, username: r.username, computer: r.computer,
      start_time_ns: BigInt(r.start_time_ns), start_ticks: r.start_ticks, tsc_frequency: r.tsc_frequency,
      properties_json: JSON.stringify(r.properties),
    }));
  }
}
