const NS_PER_S = 1_000_000_000n;

/** The last second formatted: the times of blocks arriving together mostly fall in a few seconds. */
let last = { second: NaN, iso: '' };

/**
 * A `timestamptz` literal for nanoseconds since the Unix epoch, truncated to PostgreSQL's
 * microseconds (rounding could move an end time past the events it bounds).
 */
export function nsToTimestamptz(ns: bigint): string {
  let seconds = ns / NS_PER_S; // toward zero: floored below
  let fractionNs = ns - seconds * NS_PER_S;
  if (fractionNs < 0n) {
    seconds -= 1n;
    fractionNs += NS_PER_S;
  }
  const second = Number(seconds);
  if (second !== last.second) last = { second, iso: new Date(second * 1000).toISOString().slice(0, 19) }; // YYYY-MM-DDTHH:MM:SS
  return `${last.iso}.${String(Math.floor(Number(fractionNs) / 1000)).padStart(6, '0')}Z`;
}
