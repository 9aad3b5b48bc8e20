/**
 * Both drivers return `bigint` columns the same way: a number when it is a safe integer (counts,
 * ticks, sizes), a bigint beyond (nanosecond times). PGlite does this natively; `pg` is taught here.
 */
export function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}
