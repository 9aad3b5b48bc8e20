/**
 * Both drivers return `bigint` columns the same way: a number when it is a safe integer (counts,
 * ticks, sizes), a bigint beyond (nanosecond times). PGlite does this natively; `pg` is taught here.
 */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** Text of up to this many characters (a sign and 14 digits, or 15 digits) is a safe integer: parsed without a bigint. */
const SAFE_DIGITS = 15;

export function parseInt8(text: string): number | bigint {
  if (text.length <= SAFE_DIGITS) return Number(text);
  const value = BigInt(text);
  return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value;
}
