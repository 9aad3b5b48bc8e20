/**
 * What DuckDB's `COPY … (FORMAT parquet, RETURN_STATS true)` says about the file it wrote: its row
 * count and the min/max of a column, so that a write need not read its file back. DuckDB renders a
 * timestamp statistic as text ('2023-11-14 22:13:20.982335294', '….123+00' with a time zone), every
 * digit of its precision kept; `timestampTextNs` turns that text into exact nanoseconds.
 */
import type { DuckDBResultReader } from '@duckdb/node-api';
import { DuckDBMapValue } from '@duckdb/node-api';

export interface CopyStats {
  numRows: number;
  /** The column's statistics as DuckDB renders them; null when it has no non-null value. */
  min: string | null;
  max: string | null;
}

function entries(value: unknown, what: string): Map<string, unknown> {
  if (!(value instanceof DuckDBMapValue)) throw new Error(`COPY RETURN_STATS: ${what} is not a map`);
  return new Map(value.entries.map((e) => [String(e.key), e.value]));
}

/** Reads the single row COPY RETURN_STATS returns; `quotedColumn` as DuckDB quotes it ("time"). */
export function copyStats(result: DuckDBResultReader, quotedColumn: string): CopyStats {
  const [row] = result.getRowObjects();
  if (row === undefined) throw new Error('COPY RETURN_STATS returned no row');
  const numRows = Number(row['count']);
  const column = entries(row['column_statistics'], 'column_statistics').get(quotedColumn);
  const stats = column === undefined ? new Map<string, unknown>() : entries(column, `the statistics of ${quotedColumn}`);
  const text = (key: string) => {
    const value = stats.get(key);
    return value === undefined || value === null ? null : String(value);
  };
  return { numRows, min: text('min'), max: text('max') };
}

const TIMESTAMP_TEXT = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([+-])(\d\d)(?::(\d\d)(?::(\d\d))?)?)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Nanoseconds since the epoch of a timestamp as DuckDB renders it, or undefined when it is none or
 * out of the nanosecond range (1677–2262: BC dates, infinity and the like).
 */
export function timestampTextNs(text: string): bigint | undefined {
  const m = TIMESTAMP_TEXT.exec(text);
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, sign, offsetH, offsetM, offsetS] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second));
  const offsetSeconds = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetH) * 3600 + Number(offsetM ?? 0) * 60 + Number(offsetS ?? 0));
  const ns = BigInt(date.getTime() - offsetSeconds * 1000) * 1_000_000n + BigInt((fraction ?? '').padEnd(9, '0'));
  return ns < INT64_MIN || ns > INT64_MAX ? undefined : ns;
}
