/**
 * Thrift's compact protocol as a generic tree, lossless both ways: every field keeps its id and wire
 * type, so a Parquet footer decoded and encoded again is the same bytes, fields this code does not
 * know included. Parquet footers are the only use (./parquet-concat.ts moves offsets in them); the
 * npm Thrift libraries read only structs generated from an IDL, and hyparquet's reader keeps no
 * wire types (an i16 would come back an i32, which C++ readers skip).
 */

export const enum WireType {
  True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12,
}

/** A struct: its fields in wire order. */
export type ThriftStruct = ThriftField[];
export interface ThriftList { elementType: WireType; items: ThriftValue[] }
/** Integers up to 32 bits as numbers, i64 as bigint, binary as bytes, booleans in lists as their byte. */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftStruct;
export interface ThriftField { id: number; type: WireType; value: ThriftValue }

export class ThriftDecodeError extends Error {
  override name = 'ThriftDecodeError';
}

/** Structs nest a few levels in Parquet; a deeper footer is damaged or hostile. */
const MAX_DEPTH = 32;

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw new ThriftDecodeError(`thrift: truncated at byte ${this.offset}`);
    return this.bytes[this.offset++]!;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new ThriftDecodeError(`thrift: varint too long at byte ${this.offset}`);
  }

  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.offset + n > this.bytes.length) throw new ThriftDecodeError(`thrift: ${n} bytes past the end at byte ${this.offset}`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

function readValue(r: Reader, type: WireType, depth: number): ThriftValue {
  switch (type) {
    case WireType.True: return true;
    case WireType.False: return false;
    case WireType.Byte: return r.byte();
    case WireType.I16:
    case WireType.I32: return Number(r.zigzag());
    case WireType.I64: return r.zigzag();
    case WireType.Double: return r.take(8).slice();
    case WireType.Binary: return r.take(Number(r.varint()));
    case WireType.List:
    case WireType.Set: {
      const header = r.byte();
      const elementType = (header & 0x0f) as WireType;
      const size = header >> 4 === 15 ? Number(r.varint()) : header >> 4;
      // In a list a boolean is a byte of its own, not a field type.
      const itemType = elementType === WireType.True || elementType === WireType.False ? WireType.Byte : elementType;
      const items: ThriftValue[] = [];
      for (let i = 0; i < size; i++) items.push(readValue(r, itemType, depth + 1));
      return { elementType, items };
    }
    case WireType.Struct: return readStruct(r, depth + 1);
    default: throw new ThriftDecodeError(`thrift: unsupported wire type ${type} at byte ${r.offset}`);
  }
}

function readStruct(r: Reader, depth: number): ThriftStruct {
  if (depth > MAX_DEPTH) throw new ThriftDecodeError(`thrift: structs nested deeper than ${MAX_DEPTH}`);
  const fields: ThriftStruct = [];
  let id = 0;
  for (;;) {
    const header = r.byte();
    if ((header & 0x0f) === 0) return fields;
    const type = (header & 0x0f) as WireType;
    id = header >> 4 === 0 ? Number(r.zigzag()) : id + (header >> 4);
    fields.push({ id, type, value: readValue(r, type, depth) });
  }
}

/** The struct at the start of `bytes`, and how many bytes it took. */
export function decodeStruct(bytes: Uint8Array): { struct: ThriftStruct; length: number } {
  const reader = new Reader(bytes);
  const struct = readStruct(reader, 0);
  return { struct, length: reader.offset };
}

class Writer {
  #buffer = new Uint8Array(4096);
  length = 0;

  #reserve(n: number): void {
    if (this.length + n <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.length + n));
    grown.set(this.#buffer.subarray(0, this.length));
    this.#buffer = grown;
  }

  byte(b: number): void {
    this.#reserve(1);
    this.#buffer[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buffer.set(b, this.length);
    this.length += b.length;
  }

  varint(v: bigint): void {
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  zigzag(v: bigint): void {
    this.varint(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  result(): Uint8Array {
    return this.#buffer.slice(0, this.length);
  }
}

function writeValue(w: Writer, type: WireType, value: ThriftValue): void {
  switch (type) {
    case WireType.True:
    case WireType.False: return;
    case WireType.Byte: w.byte(value as number); return;
    case WireType.I16:
    case WireType.I32: w.zigzag(BigInt(value as number)); return;
    case WireType.I64: w.zigzag(value as bigint); return;
    case WireType.Double: w.bytes(value as Uint8Array); return;
    case WireType.Binary: w.varint(BigInt((value as Uint8Array).length)); w.bytes(value as Uint8Array); return;
    case WireType.List:
    case WireType.Set: {
      const { elementType, items } = value as ThriftList;
      if (items.length < 15) w.byte((items.length << 4) | elementType);
      else {
        w.byte(0xf0 | elementType);
        w.varint(BigInt(items.length));
      }
      const itemType = elementType === WireType.True || elementType === WireType.False ? WireType.Byte : elementType;
      for (const item of items) writeValue(w, itemType, item);
      return;
    }
    case WireType.Struct: writeStruct(w, value as ThriftStruct); return;
    default: throw new ThriftDecodeError(`thrift: unsupported wire type ${type}`);
  }
}

function writeStruct(w: Writer, fields: ThriftStruct): void {
  let last = 0;
  for (const { id, type, value } of fields) {
    // A boolean field's value is its type.
    const wire = type === WireType.True || type === WireType.False ? (value === true ? WireType.True : WireType.False) : type;
    const delta = id - last;
    if (delta > 0 && delta <= 15) w.byte((delta << 4) | wire);
    else {
      w.byte(wire);
      w.zigzag(BigInt(id));
    }
    writeValue(w, wire, value);
    last = id;
  }
  w.byte(0);
}

export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const writer = new Writer();
  writeStruct(writer, struct);
  return writer.result();
}

/** The value of field `id`, if the struct has it. */
export function field(struct: ThriftStruct, id: number): ThriftValue | undefined {
  return struct.find((f) => f.id === id)?.value;
}
