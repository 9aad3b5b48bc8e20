/**
 * The SQL that summarizes sources in PostgreSQL (blocks, processes, streams: any table with an id
 * and an insert time), shared by every segment source: a group's source hash and insert-time bounds,
 * and the ranges to summarize passed as two arrays.
 */
import type { InsertRange, RangeSources } from './segment-refresh.js';
import { sourceHashSql } from './source-hash.js';

export type SourcesRow = {
  hash: string;
  first_insert_ms: number | bigint;
  last_insert_ms: number | bigint;
};

/** Aggregate columns summarizing the group's rows of `alias` (its `idColumn` and `insert_time`). */
export function sourcesColumns(alias: string, idColumn: string): string {
  return `${sourceHashSql(`${alias}.${idColumn}`)} AS hash,
    floor(extract(epoch FROM min(${alias}.insert_time)) * 1000)::int8 AS first_insert_ms,
    floor(extract(epoch FROM max(${alias}.insert_time)) * 1000)::int8 AS last_insert_ms`;
}

export function toRangeSources(row: SourcesRow): RangeSources {
  return { hash: row.hash, firstInsertMs: Number(row.first_insert_ms), lastInsertMs: Number(row.last_insert_ms) };
}

/** The ranges `$1`, `$2` (see `rangeParams`) as `r(b, e, i)`: bounds in epoch seconds, ordinal from 1. */
export const RANGES = 'unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS r(b, e, i)';

/** `FROM` clause of `RANGES` joined to the rows of `table alias` inserted in each; group by `r.i`. */
export function rangesJoin(table: string, alias: string): string {
  return `${RANGES}
    JOIN ${table} ${alias} ON ${alias}.insert_time >= to_timestamp(r.b) AND ${alias}.insert_time < to_timestamp(r.e)`;
}

/** The two array parameters `rangesJoin` reads: range bounds in epoch seconds. */
export function rangeParams(ranges: readonly InsertRange[]): [number[], number[]] {
  return [ranges.map((r) => r.begin / 1000), ranges.map((r) => r.end / 1000)];
}

/** Per range, in order, what the rows grouped by its ordinal (`i`, from 1) say; undefined for none. */
export function byOrdinal(count: number, rows: readonly (SourcesRow & { i: number | bigint })[]): (RangeSources | undefined)[] {
  const result: (RangeSources | undefined)[] = new Array(count).fill(undefined);
  for (const row of rows) result[Number(row.i) - 1] = toRangeSources(row);
  return result;
}
