import { DataType, TimeUnit, type RecordBatch, type Timestamp, type Vector } from 'apache-arrow';

/**
 * Arrow values as JSON-friendly ones, for printing and JSON responses: timestamps become RFC 3339
 * strings at their unit's precision (read from the raw int64, so nanoseconds survive), 64-bit
 * integers numbers when exact and decimal strings otherwise, binary base64, nested values plain
 * arrays and objects.
 */

const NS_PER_UNIT: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};
const FRACTION_DIGITS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 0, [TimeUnit.MILLISECOND]: 3, [TimeUnit.MICROSECOND]: 6, [TimeUnit.NANOSECOND]: 9,
};

export function formatTimestamp(ticks: bigint, unit: TimeUnit): string {
  const ns = ticks * NS_PER_UNIT[unit];
  let seconds = ns / 1_000_000_000n;
  let fraction = ns % 1_000_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000_000n;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = FRACTION_DIGITS[unit];
  return digits === 0 ? `${whole}Z` : `${whole}.${fraction.toString().padStart(9, '0').slice(0, digits)}Z`;
}

/** A value from Vector.get / row objects, made JSON-friendly. */
export function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, plainValue);
  if (typeof value === 'object') {
    // Arrow lists, structs and maps render themselves as arrays and objects.
    const json: unknown = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
    if (Array.isArray(json)) return json.map(plainValue);
    return Object.fromEntries(Object.entries(json as object).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}

/** Reads one column of a batch row by row as plain values. */
export function columnReader(vector: Vector): (row: number) => unknown {
  const [data] = vector.data;
  if (DataType.isTimestamp(vector.type) && data && data.values instanceof BigInt64Array) {
    const { unit } = vector.type as Timestamp;
    const raw = data.values;
    return (row) => (vector.isValid(row) ? formatTimestamp(raw[data.offset + row]!, unit) : null);
  }
  return (row) => plainValue(vector.get(row));
}

/** The batch's rows as objects keyed by column name. */
export function* batchRows(batch: RecordBatch): Generator<Record<string, unknown>> {
  const names = batch.schema.fields.map((field) => field.name);
  const readers = names.map((_, i) => columnReader(batch.getChildAt(i)!));
  for (let row = 0; row < batch.numRows; row++) {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => { out[name] = readers[i]!(row); });
    yield out;
  }
}
