import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStruct, encodeStruct, ThriftDecodeError, WireType, type ThriftStruct } from './thrift-compact.js';

describe('thrift compact protocol', () => {
  it('encodes and decodes every wire type Parquet uses, keeping each field id and type', () => {
    const struct: ThriftStruct = [
      { id: 1, type: WireType.True, value: true },
      { id: 2, type: WireType.False, value: false },
      { id: 3, type: WireType.Byte, value: 200 },
      { id: 4, type: WireType.I16, value: -5 },
      { id: 5, type: WireType.I32, value: 2 ** 31 - 1 },
      { id: 6, type: WireType.I64, value: -(1n << 63n) },
      { id: 7, type: WireType.I64, value: (1n << 63n) - 1n },
      { id: 8, type: WireType.Double, value: Uint8Array.from([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]) },
      { id: 9, type: WireType.Binary, value: new TextEncoder().encode('ünï 🎮') },
      // Fifteen items or more take a longer list header.
      { id: 10, type: WireType.List, value: { elementType: WireType.I32, items: Array.from({ length: 20 }, (_, i) => i - 10) } },
      { id: 11, type: WireType.List, value: { elementType: WireType.True, items: [1, 2, 1] } },
      // A jump of more than 15 ids takes a field header of its own.
      { id: 40, type: WireType.Struct, value: [{ id: 1, type: WireType.List, value: { elementType: WireType.Struct, items: [[], [{ id: 3, type: WireType.I64, value: 0n }]] } }] },
    ];
    const bytes = encodeStruct(struct);
    const decoded = decodeStruct(bytes);
    assert.equal(decoded.length, bytes.length);
    assert.deepEqual(decoded.struct, struct);
    assert.deepEqual(encodeStruct(decoded.struct), bytes);
  });

  it('rejects a truncated struct, an unknown wire type and nesting past its bound, as ThriftDecodeError', () => {
    const bytes = encodeStruct([{ id: 1, type: WireType.Binary, value: new Uint8Array(10) }]);
    assert.throws(() => decodeStruct(bytes.subarray(0, 5)), ThriftDecodeError);
    assert.throws(() => decodeStruct(Uint8Array.from([0x1e])), /unsupported wire type 14/);
    let deep: ThriftStruct = [];
    for (let i = 0; i < 40; i++) deep = [{ id: 1, type: WireType.Struct, value: deep }];
    assert.throws(() => decodeStruct(encodeStruct(deep)), /nested deeper than 32/);
  });
});
