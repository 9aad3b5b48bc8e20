import duckdb from '@duckdb/node-bindings';
import { DuckDBVector, type DuckDBType } from '@duckdb/node-api';
import { makeData, vectorFromArray, Utf8, type Binary, type Dictionary, type Int16 } from 'apache-arrow';
import type { ColumnBuilder } from './column.js';
import { GrowableBytes, OffsetsBuilder } from './growable.js';
import { isValid, readValidity, ValidityBuilder } from './validity.js';

const STRING_T = 16; // sizeof(duckdb_string_t)
const INLINE_MAX = 12;
/**
 * Long strings are copied out of DuckDB's memory by address ranges ("windows") rather than one native
 * call each: strings laid out one after another (a Parquet page, a string heap, a dictionary) come
 * in a single copy. A window only grows across gaps far smaller than a memory page, so every page it
 * spans holds bytes of a string DuckDB handed us: the copy never touches unmapped memory.
 */
const MAX_GAP = 256;
const MAX_WINDOW = 1 << 20;

/**
 * Calls `visit`, in row order, with the bytes of each string in the slice (`null` for null entries).
 * A duckdb_string_t is a 4-byte length then either the bytes inline (≤ 12) or a prefix and a pointer.
 */
function forEachString(
  vector: duckdb.Vector, size: number, start: number, count: number,
  visit: (bytes: Uint8Array | null) => void,
): Uint8Array | null {
  const raw = duckdb.vector_get_data(vector, size * STRING_T);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const validity = readValidity(vector, size);
  const pointer = (at: number) => view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * 2 ** 32;
  let pending: number[] = []; // rows waiting for the current window to be copied
  let windowRow = -1; // the row whose pointer starts the window
  let windowStart = 0;
  let windowEnd = 0;

  const flush = () => {
    const window = windowRow < 0 ? null
      : duckdb.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + windowRow * STRING_T + 8, windowEnd - windowStart);
    for (const row of pending) {
      const at = row * STRING_T;
      const length = view.getUint32(at, true);
      if (!isValid(validity, row)) visit(null);
      else if (length <= INLINE_MAX) visit(raw.subarray(at + 4, at + 4 + length));
      else visit(window!.subarray(pointer(at) - windowStart, pointer(at) - windowStart + length));
    }
    pending = [];
    windowRow = -1;
  };

  for (let row = start; row < start + count; row++) {
    const at = row * STRING_T;
    const length = view.getUint32(at, true);
    if (isValid(validity, row) && length > INLINE_MAX) {
      const from = pointer(at);
      const inside = windowRow >= 0 && from >= windowStart && from + length <= windowEnd;
      const adjacent = windowRow >= 0 && from >= windowEnd && from - windowEnd <= MAX_GAP && from + length - windowStart <= MAX_WINDOW;
      if (adjacent) windowEnd = from + length;
      else if (!inside) {
        if (windowRow >= 0) flush();
        [windowRow, windowStart, windowEnd] = [row, from, from + length];
      }
    }
    pending.push(row);
  }
  flush();
  return validity;
}

/** VARCHAR → Utf8 and BLOB → Binary: offsets plus one contiguous byte buffer. */
export class VarLenColumn implements ColumnBuilder {
  private readonly bytes = new GrowableBytes(4096);
  private readonly offsets = new OffsetsBuilder();
  private readonly validity = new ValidityBuilder();

  constructor(readonly type: Utf8 | Binary) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const validity = forEachString(vector, size, start, count, (value) => {
      if (value) this.bytes.append(value);
      this.offsets.push(this.bytes.length);
    });
    this.validity.appendFrom(validity, start, count);
  }

  take() {
    const length = this.validity.length;
    const valueOffsets = this.offsets.take();
    const data = this.bytes.take().subarray(0, valueOffsets[length]);
    return makeData({ type: this.type, length, valueOffsets, data, ...this.validity.take() } as never);
  }
}

const decoder = new TextDecoder();

/**
 * Strings as Dictionary(Int16, Utf8), one dictionary per batch. Batches stay under 32 768 rows, so
 * Int16 indices always suffice.
 */
export class DictionaryColumn implements ColumnBuilder {
  private indices: number[] = [];
  private readonly entries = new Map<string, number>();
  private readonly validity = new ValidityBuilder();

  constructor(readonly type: Dictionary<Utf8, Int16>) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const validity = forEachString(vector, size, start, count, (value) => {
      if (value === null) return void this.indices.push(0);
      const text = decoder.decode(value);
      let index = this.entries.get(text);
      if (index === undefined) {
        index = this.entries.size;
        this.entries.set(text, index);
      }
      this.indices.push(index);
    });
    this.validity.appendFrom(validity, start, count);
  }

  take() {
    const length = this.validity.length;
    const dictionary = vectorFromArray([...this.entries.keys()], new Utf8());
    const data = Int16Array.from(this.indices);
    this.indices = [];
    this.entries.clear();
    return makeData({ type: this.type, length, data, dictionary, ...this.validity.take() } as never);
  }
}

/** Types without a faithful Arrow counterpart in Arrow JS (UUID, ENUM, BIT, TIME WITH TIME ZONE, …) as text. */
export class TextColumn implements ColumnBuilder {
  readonly type = new Utf8();
  private readonly bytes = new GrowableBytes(4096);
  private readonly offsets = new OffsetsBuilder();
  private readonly validity = new ValidityBuilder();
  private readonly encoder = new TextEncoder();

  constructor(private readonly duckType: DuckDBType) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const values = DuckDBVector.create(vector, size, this.duckType);
    for (let row = start; row < start + count; row++) {
      const value = values.getItem(row);
      if (value === null) this.validity.appendNull();
      else {
        this.bytes.append(this.encoder.encode(String(value)));
        this.validity.appendValid(1);
      }
      this.offsets.push(this.bytes.length);
    }
  }

  take() {
    const length = this.validity.length;
    const valueOffsets = this.offsets.take();
    const data = this.bytes.take().subarray(0, valueOffsets[length]);
    return makeData({ type: this.type, length, valueOffsets, data, ...this.validity.take() });
  }
}
