/** Event times of OTLP items, exact nanoseconds since the Unix epoch. */
import { toBigInt, type Int64Value } from './schema.js';

/**
 * Times our views can hold: after the epoch and below 2^63 ns (year 2262), the range of an int64
 * nanosecond timestamp (PostgreSQL's `*_ns` columns, DuckDB's TIMESTAMP_NS). 0 means "unset" in OTLP.
 */
export const MAX_TIME_NS = 2n ** 63n - 1n;

export function isValidTime(ns: bigint): boolean {
  return ns > 0n && ns <= MAX_TIME_NS;
}

/** A log record's time: when it happened, else when it was observed (ingestion stamps that when both are unset). */
export function logTimeNs(record: { timeUnixNano: Int64Value; observedTimeUnixNano: Int64Value }): bigint {
  const time = toBigInt(record.timeUnixNano);
  return time !== 0n ? time : toBigInt(record.observedTimeUnixNano);
}
