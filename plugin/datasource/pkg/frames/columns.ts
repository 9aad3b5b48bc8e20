// Arrow result columns → Grafana frame fields, one whole column at a time.
// Grafana's Go SDK reads back only flat types (ints, uints, floats, bool, utf8, timestamp, binary-as-JSON),
// so dictionaries are decoded, large/view strings narrowed, timestamps normalized to nanoseconds
// without time zone, and nested values (lists, structs, maps) become JSON. Durations (INTERVAL) become
// nanosecond numbers with unit "ns", which Grafana displays as durations and can chart; times of
// day (TIME) become text such as 12:34:56.789, as Grafana's own SQL datasources show them.
import {
  DataType,
  Float32,
  Float64,
  Int64,
  IntervalUnit,
  TimeUnit,
  TimestampNanosecond,
  Type,
  makeData,
  makeVector,
  type Data,
  type Duration,
  type Interval,
  type Time,
  type Vector,
} from 'apache-arrow';
import { booleanField, jsonField, stringField } from './build.js';
import type { FrameField } from './frame.js';

const NANOS_PER_UNIT: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/** Validity bitmap (LSB order) starting at row 0, or undefined when the column has no nulls. */
function validity(vector: Vector): Uint8Array | undefined {
  if (vector.nullCount === 0) {
    return undefined;
  }
  const bitmap = new Uint8Array((vector.length + 7) >> 3);
  for (let i = 0; i < vector.length; i++) {
    if (vector.isValid(i)) {
      bitmap[i >> 3]! |= 1 << (i & 7);
    }
  }
  return bitmap;
}

function sameTypeData(vector: Vector, type: DataType, values: ArrayLike<unknown>): Data {
  const nullBitmap = validity(vector);
  // makeData's overloads are keyed on the static type; ours is only known at run time.
  const props = { type, length: vector.length, nullCount: vector.nullCount, data: values, ...(nullBitmap ? { nullBitmap } : {}) };
  return (makeData as (p: unknown) => Data)(props);
}

function timestampNanos(vector: Vector, toNanos: (raw: bigint | number) => bigint): Data {
  const raw = vector.toArray() as BigInt64Array | Int32Array | Float64Array | number[];
  const nanos = new BigInt64Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    nanos[i] = toNanos(raw[i] ?? 0);
  }
  return sameTypeData(vector, new TimestampNanosecond(), nanos);
}

function strings(vector: Vector): Array<string | null> {
  const out = new Array<string | null>(vector.length);
  let row = 0;
  for (const chunk of vector.data) {
    if (DataType.isDictionary(chunk.type)) {
      // Decode each dictionary once, then map indices.
      const dictionary = (chunk.dictionary as Vector).toArray() as Array<string | null>;
      const indices = chunk.values as ArrayLike<number | bigint>;
      for (let i = 0; i < chunk.length; i++, row++) {
        out[row] = chunk.getValid(i) ? String(dictionary[Number(indices[i])] ?? '') : null;
      }
    } else {
      const values = makeVector(chunk).toArray() as unknown[];
      for (let i = 0; i < chunk.length; i++, row++) {
        out[row] = values[i] === null || values[i] === undefined ? null : String(values[i]);
      }
    }
  }
  return out;
}

function isStringLike(type: DataType): boolean {
  return type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 || type.typeId === Type.Utf8View;
}

export class UnsupportedColumnError extends Error {
  constructor(
    readonly column: string,
    readonly arrowType: string,
  ) {
    super(`column "${column}" has Arrow type ${arrowType}, which has no Grafana field equivalent`);
    this.name = 'UnsupportedColumnError';
  }
}

export function fieldFromColumn(name: string, vector: Vector): FrameField {
  const type = vector.type as DataType;
  if (DataType.isDictionary(type)) {
    if (!isStringLike(type.dictionary)) {
      return jsonField(name, Array.from(vector, jsonValue));
    }
    return stringField(name, strings(vector));
  }
  switch (type.typeId) {
    case Type.Int:
      return { name, kind: 'number', data: sameTypeData(vector, type, vector.toArray()) };
    case Type.Float:
      if ((type as Float32 | Float64).precision === 0) {
        // Half floats have no Grafana counterpart: widen.
        return {
          name,
          kind: 'number',
          data: sameTypeData(vector, new Float32(), Float32Array.from(vector.toArray() as ArrayLike<number>)),
        };
      }
      return { name, kind: 'number', data: sameTypeData(vector, type, vector.toArray()) };
    case Type.Decimal:
      return {
        name,
        kind: 'number',
        data: sameTypeData(
          vector,
          new Float64(),
          Float64Array.from(vector, (v) => (v === null ? 0 : Number(String(v)))),
        ),
      };
    case Type.Bool:
      return {
        name,
        kind: 'boolean',
        data: vector.data.length === 1 ? vector.data[0]! : booleanField(name, Array.from(vector) as Array<boolean | null>).data,
      };
    case Type.Utf8:
      if (vector.data.length === 1 && vector.data[0]!.offset === 0) {
        return { name, kind: 'string', data: vector.data[0]! };
      }
      return stringField(name, strings(vector));
    case Type.LargeUtf8:
    case Type.Utf8View:
      return stringField(name, strings(vector));
    case Type.Timestamp: {
      const factor = NANOS_PER_UNIT[(type as TimestampNanosecond).unit];
      return { name, kind: 'time', data: timestampNanos(vector, (raw) => BigInt(raw) * factor) };
    }
    case Type.Date:
      // Vector.get() yields epoch milliseconds for both date units.
      return {
        name,
        kind: 'time',
        data: sameTypeData(
          vector,
          new TimestampNanosecond(),
          BigInt64Array.from(vector, (ms) => (ms === null ? 0n : BigInt(Math.round(Number(ms))) * 1_000_000n)),
        ),
      };
    case Type.Null:
      return stringField(name, new Array<null>(vector.length).fill(null));
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return stringField(
        name,
        Array.from(vector, (v) => (v === null ? null : Buffer.from(v as Uint8Array).toString('base64'))),
      );
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Struct:
    case Type.Map:
      return jsonField(name, Array.from(vector, jsonValue));
    case Type.Duration:
    case Type.Interval: {
      const nanos = type.typeId === Type.Duration ? durationNanos(vector) : intervalNanos(vector);
      return { name, kind: 'number', data: sameTypeData(vector, new Int64(), nanos), config: { unit: 'ns' } };
    }
    case Type.Time:
      return stringField(name, timesOfDay(vector));
    default:
      throw new UnsupportedColumnError(name, String(type));
  }
}

/** Calendar units as DuckDB counts them in a duration (epoch(), to_microseconds()): a month is 30 days. */
const NANOS_PER_DAY = 86_400_000_000_000n;
const NANOS_PER_MONTH = 30n * NANOS_PER_DAY;

/** Each row's value from the raw buffers of every chunk, in row order (a sliced chunk's buffers start at its first row). */
function eachRow<T>(vector: Vector, read: (chunk: Data, i: number) => T): T[] {
  const out: T[] = [];
  for (const chunk of vector.data) {
    for (let i = 0; i < chunk.length; i++) {
      out.push(read(chunk, i));
    }
  }
  return out;
}

function intervalNanos(vector: Vector): BigInt64Array {
  const unit = (vector.type as Interval).unit;
  const rows = eachRow(vector, (chunk, i) => {
    const v = chunk.values as Int32Array;
    switch (unit) {
      case IntervalUnit.YEAR_MONTH:
        return BigInt(v[i]!) * NANOS_PER_MONTH;
      case IntervalUnit.DAY_TIME:
        return BigInt(v[2 * i]!) * NANOS_PER_DAY + BigInt(v[2 * i + 1]!) * 1_000_000n;
      default: {
        // MONTH_DAY_NANO: int32 months, int32 days, int64 nanoseconds (two little-endian words).
        const nanos = (BigInt(v[4 * i + 3]!) << 32n) | BigInt(v[4 * i + 2]! >>> 0);
        return BigInt(v[4 * i]!) * NANOS_PER_MONTH + BigInt(v[4 * i + 1]!) * NANOS_PER_DAY + nanos;
      }
    }
  });
  return BigInt64Array.from(rows);
}

function durationNanos(vector: Vector): BigInt64Array {
  const factor = NANOS_PER_UNIT[(vector.type as Duration).unit];
  return BigInt64Array.from(eachRow(vector, (chunk, i) => BigInt((chunk.values as BigInt64Array)[i]!) * factor));
}

/** HH:MM:SS with as many fraction digits as the unit has, trailing zeros dropped. */
function timesOfDay(vector: Vector): Array<string | null> {
  const unit = (vector.type as Time).unit;
  const digits = { [TimeUnit.SECOND]: 0, [TimeUnit.MILLISECOND]: 3, [TimeUnit.MICROSECOND]: 6, [TimeUnit.NANOSECOND]: 9 }[unit];
  const perSecond = NANOS_PER_UNIT[TimeUnit.SECOND] / NANOS_PER_UNIT[unit];
  return eachRow(vector, (chunk, i) => {
    if (!chunk.getValid(i)) {
      return null;
    }
    const raw = BigInt((chunk.values as Int32Array | BigInt64Array)[i]!);
    const seconds = Number(raw / perSecond);
    const hms = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, '0')).join(':');
    const fraction = String(raw % perSecond)
      .padStart(digits, '0')
      .replace(/0+$/, '');
    return fraction ? `${hms}.${fraction}` : hms;
  });
}

function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'object' && 'toJSON' in value && typeof (value as { toJSON: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}
