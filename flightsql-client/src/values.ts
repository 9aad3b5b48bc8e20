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

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `YYYY-MM-DDTHH:MM:SS` of whole seconds since the epoch, by integer arithmetic on the proleptic
 * Gregorian calendar (several times faster than Date#toISOString, which matters per row).
 * Counting days from 0000-03-01 puts each leap day at the end of its year.
 */
function isoSeconds(epochSeconds: number): string {
  const days = Math.floor(epochSeconds / 86_400);
  const secondOfDay = epochSeconds - days * 86_400;
  const fromMarch = days + 719_468; // days from 0000-03-01
  const era = Math.floor(fromMarch / 146_097); // 400-year cycles
  const dayOfEra = fromMarch - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(epochSeconds * 1000).toISOString().slice(0, -5); // ±YYYYYY form
  const hours = Math.floor(secondOfDay / 3_600);
  const minutes = Math.floor((secondOfDay - hours * 3_600) / 60);
  const seconds = secondOfDay - hours * 3_600 - minutes * 60;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}`;
}

/** Formats int64 ticks of `unit`; consecutive values within one second reuse the date-time prefix. */
function timestampFormatter(unit: TimeUnit): (ticks: bigint) => string {
  const scale = NS_PER_UNIT[unit];
  const digits = FRACTION_DIGITS[unit];
  let cachedSecond: bigint | undefined;
  let cachedPrefix = '';
  return (ticks) => {
    const ns = scale === 1n ? ticks : ticks * scale;
    let seconds = ns / 1_000_000_000n;
    let fraction = Number(ns - seconds * 1_000_000_000n);
    if (fraction < 0) {
      seconds -= 1n;
      fraction += 1_000_000_000;
    }
    if (seconds !== cachedSecond) {
      cachedSecond = seconds;
      cachedPrefix = isoSeconds(Number(seconds));
    }
    // 1e9 + fraction has exactly ten digits: drop the leading 1 to zero-pad the nanoseconds.
    return digits === 0 ? `${cachedPrefix}Z` : `${cachedPrefix}.${String(1_000_000_000 + fraction).slice(1, 1 + digits)}Z`;
  };
}

export function formatTimestamp(ticks: bigint, unit: TimeUnit): string {
  return timestampFormatter(unit)(ticks);
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

/** Reads one column of a batch row by row as plain values (types JSON already handles skip conversion). */
export function columnReader(vector: Vector): (row: number) => unknown {
  const [data] = vector.data;
  const { type } = vector;
  if (DataType.isTimestamp(type) && data && data.values instanceof BigInt64Array) {
    const format = timestampFormatter((type as Timestamp).unit);
    const raw = data.values;
    return (row) => (vector.isValid(row) ? format(raw[data.offset + row]!) : null);
  }
  const plain = DataType.isUtf8(type) || DataType.isBool(type) || DataType.isFloat(type)
    || (DataType.isInt(type) && type.bitWidth < 64)
    || (DataType.isDictionary(type) && DataType.isUtf8(type.dictionary));
  if (plain) return (row) => vector.get(row) ?? null;
  return (row) => plainValue(vector.get(row));
}

/** The batch's rows as objects keyed by column name. */
export function* batchRows(batch: RecordBatch): Generator<Record<string, unknown>> {
  const names = batch.schema.fields.map((field) => field.name);
  const readers = names.map((_, i) => columnReader(batch.getChildAt(i)!));
  for (let row = 0; row < batch.numRows; row++) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]!] = readers[i]!(row);
    yield out;
  }
}
