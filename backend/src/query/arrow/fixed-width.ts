import duckdb from '@duckdb/node-bindings';
import { makeData, type Bool, type DataType, type Float64, type Int64, type Null } from 'apache-arrow';
import type { ColumnBuilder } from './column.js';
import { GrowableBytes } from './growable.js';
import { isValid, readValidity, ValidityBuilder } from './validity.js';

function slice(vector: duckdb.Vector, width: number, size: number, start: number, count: number): Uint8Array {
  return duckdb.vector_get_data(vector, size * width).subarray(start * width, (start + count) * width);
}

/**
 * Values whose DuckDB and Arrow layouts agree byte for byte (integers, floats, DATE, TIME,
 * TIMESTAMP_NS): each vector slice is one copy. `finish` adapts the buffer when units differ
 * (DuckDB's microsecond timestamps become Arrow nanoseconds).
 */
export class FixedWidthColumn implements ColumnBuilder {
  private readonly values = new GrowableBytes();
  private readonly validity = new ValidityBuilder();

  constructor(
    readonly type: DataType,
    private readonly width: number,
    private readonly finish: (bytes: Uint8Array) => void = () => {},
  ) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    this.values.append(slice(vector, this.width, size, start, count));
    this.validity.appendFrom(readValidity(vector, size), start, count);
  }

  take() {
    const length = this.validity.length;
    const bytes = this.values.take();
    this.finish(bytes);
    return makeData({ type: this.type, length, data: bytes, ...this.validity.take() } as never);
  }
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * Multiplies int64 values in place: seconds, milliseconds and microseconds to nanoseconds. Instants
 * beyond what nanoseconds can hold (years after 2262, DuckDB's ±infinity) saturate to the int64 bounds.
 */
export function scaleInt64(factor: bigint): (bytes: Uint8Array) => void {
  return (bytes) => {
    const values = int64View(bytes);
    for (let i = 0; i < values.length; i++) {
      const scaled = values[i]! * factor;
      values[i] = scaled > INT64_MAX ? INT64_MAX : scaled < INT64_MIN ? INT64_MIN : scaled;
    }
  };
}

/** DuckDB INTERVAL (months, days, micros) → Arrow MonthDayNano (months, days, nanos): same layout, finer unit. */
export function intervalMicrosToNanos(bytes: Uint8Array): void {
  const words = int64View(bytes);
  for (let i = 1; i < words.length; i += 2) words[i] = BigInt.asIntN(64, words[i]! * 1000n);
}

/** DuckDB booleans are one byte each; Arrow packs them into bits. */
export class BoolColumn implements ColumnBuilder {
  private bits = new Uint8Array(256);
  private readonly validity = new ValidityBuilder();

  constructor(readonly type: Bool) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const bytes = slice(vector, 1, size, start, count);
    const base = this.validity.length;
    const neededBytes = (base + count + 7) >> 3;
    if (neededBytes > this.bits.length) {
      const grown = new Uint8Array(neededBytes * 2);
      grown.set(this.bits);
      this.bits = grown;
    }
    for (let i = 0; i < count; i++) {
      if (bytes[i] !== 0) this.bits[(base + i) >> 3] |= 1 << ((base + i) & 7);
    }
    this.validity.appendFrom(readValidity(vector, size), start, count);
  }

  take() {
    const length = this.validity.length;
    const data = this.bits.slice(0, (length + 7) >> 3);
    this.bits = new Uint8Array(256);
    return makeData({ type: this.type, length, data, ...this.validity.take() });
  }
}

/** HUGEINT (what DuckDB's SUM of integers returns) narrowed to Int64; a value that does not fit is an error. */
export class HugeIntColumn implements ColumnBuilder {
  private readonly values = new GrowableBytes();
  private readonly validity = new ValidityBuilder();

  constructor(readonly type: Int64, private readonly columnName: string) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const words = int64View(slice(vector, 16, size, start, count));
    const out = new BigInt64Array(count);
    const validity = readValidity(vector, size);
    for (let i = 0; i < count; i++) {
      const low = words[2 * i]!;
      const high = words[2 * i + 1]!;
      if (high !== (low < 0n ? -1n : 0n) && isValid(validity, start + i)) {
        throw new RangeError(`column "${this.columnName}": ${(high << 64n) + BigInt.asUintN(64, low)} does not fit in Int64`);
      }
      out[i] = low;
    }
    this.values.append(new Uint8Array(out.buffer));
    this.validity.appendFrom(validity, start, count);
  }

  take() {
    const length = this.validity.length;
    return makeData({ type: this.type, length, data: this.values.take(), ...this.validity.take() } as never);
  }
}

/** An aligned BigInt64Array over `bytes` (copied when DuckDB's buffer happens not to be 8-byte aligned). */
function int64View(bytes: Uint8Array): BigInt64Array {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  return new BigInt64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 3);
}

/** DECIMAL(width, scale) as Float64: the integer DuckDB stores, divided by 10^scale. */
export class DecimalColumn implements ColumnBuilder {
  private readonly values = new GrowableBytes();
  private readonly validity = new ValidityBuilder();
  private readonly divisor: number;
  private readonly storage: 2 | 4 | 8 | 16;

  constructor(readonly type: Float64, width: number, scale: number) {
    this.divisor = 10 ** scale;
    this.storage = width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
  }

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const raw = slice(vector, this.storage, size, start, count).slice();
    const out = new Float64Array(count);
    const read = decimalReader(raw, this.storage);
    for (let i = 0; i < count; i++) out[i] = read(i) / this.divisor;
    this.values.append(new Uint8Array(out.buffer));
    this.validity.appendFrom(readValidity(vector, size), start, count);
  }

  take() {
    const length = this.validity.length;
    return makeData({ type: this.type, length, data: this.values.take(), ...this.validity.take() } as never);
  }
}

function decimalReader(raw: Uint8Array, storage: 2 | 4 | 8 | 16): (i: number) => number {
  switch (storage) {
    case 2: { const v = new Int16Array(raw.buffer); return (i) => v[i]!; }
    case 4: { const v = new Int32Array(raw.buffer); return (i) => v[i]!; }
    case 8: { const v = new BigInt64Array(raw.buffer); return (i) => Number(v[i]!); }
    case 16: {
      const v = new BigInt64Array(raw.buffer);
      return (i) => Number((v[2 * i + 1]! << 64n) + BigInt.asUintN(64, v[2 * i]!));
    }
  }
}

/** `SELECT NULL`: no buffers at all. */
export class NullColumn implements ColumnBuilder {
  private length = 0;
  constructor(readonly type: Null) {}
  append(_vector: duckdb.Vector, _size: number, _start: number, count: number): void {
    this.length += count;
  }
  take() {
    const length = this.length;
    this.length = 0;
    return makeData({ type: this.type, length, nullCount: length });
  }
}
