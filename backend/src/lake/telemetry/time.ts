const NS_PER_US = 1000n;
const US_PER_S = 1_000_000n;

/**
 * A `timestamptz` literal for nanoseconds since the Unix epoch, truncated to PostgreSQL's
 * microseconds (rounding could move an end time past the events it bounds).
 */
export function nsToTimestamptz(ns: bigint): string {
  const us = ns >= 0n ? ns / NS_PER_US : -((-ns + NS_PER_US - 1n) / NS_PER_US); // floor
  const seconds = us >= 0n ? us / US_PER_S : -((-us + US_PER_S - 1n) / US_PER_S);
  const fraction = us - seconds * US_PER_S;
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${fraction.toString().padStart(6, '0')}Z`;
}
