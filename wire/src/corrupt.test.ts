import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockEncoder } from './encoder.js';
import { decodeBlockEvents } from './events.js';
import { compressSection, uncompressSection } from './lz4.js';
import { decodeCbor, encodeCbor } from './cbor.js';
import { WireFormatError } from './errors.js';
import { checkObjectsMetadata, objectsMetadata, dependenciesMetadata } from './metadata.js';
import type { BlockPayload } from './envelope.js';

const context = { block_id: 'b-1', stream_id: 's-1' };
const span = { name: 'frame', target: 'game', filename: 'loop.ts', line: 3 };
const metric = { name: 'fps', unit: 'hz', target: 'game' };

function sample(): BlockPayload {
  const enc = new BlockEncoder(1000);
  enc.spanBegin(1001, span);
  enc.log(1002, 4, 'game', 'hello', 1);
  enc.property('k', 'v');
  enc.floatMeasure(1003, metric, 59.9);
  enc.spanEnd(1004, span);
  return enc.finish();
}

function raw(section: Uint8Array): Buffer {
  return uncompressSection(section, 'test');
}

function expectWireError(payload: BlockPayload, pattern: RegExp): void {
  assert.throws(
    () => decodeBlockEvents(payload, context),
    (err: unknown) => err instanceof WireFormatError && pattern.test(err.message) && err.context.block_id === 'b-1' && /b-1/.test(err.message),
  );
}

test('every truncation of the objects section is rejected or decodes a prefix, never crashes', () => {
  const good = sample();
  const objects = raw(good.objects);
  const full = decodeBlockEvents(good);
  for (let len = 0; len < objects.length; len++) {
    const cut = { ...good, objects: compressSection(objects.subarray(0, len)) };
    try {
      const events = decodeBlockEvents(cut, context);
      // A cut exactly between records is a valid shorter block: it must be a prefix of the whole.
      assert.deepStrictEqual(events, full.slice(0, events.length));
    } catch (err) {
      assert.ok(err instanceof WireFormatError, `length ${len}: ${String(err)}`);
    }
  }
});

test('garbage sections get a WireFormatError naming the block', () => {
  const good = sample();
  expectWireError({ ...good, objects: new Uint8Array([1, 2]) }, /too short/);
  expectWireError({ ...good, objects: Buffer.from([0xff, 0xff, 0xff, 0x7f, 0, 1, 2, 3]) }, /claims/);
  expectWireError({ ...good, dependencies: Buffer.from([9, 0, 0, 0, 0xf0]) }, /corrupt LZ4/);
  expectWireError({ ...good, objects: 'nope' as unknown as Uint8Array }, /not a byte string/);
  expectWireError(null as unknown as BlockPayload, /payload is not/);
});

test('a block from an unknown format version is refused', () => {
  const good = sample();
  const objects = Buffer.from(raw(good.objects));
  objects[0] = 99;
  expectWireError({ ...good, objects: compressSection(objects) }, /unsupported format version 99/);
});

test('references to ids the block does not define are refused', () => {
  const good = sample();
  // Drop the dependency section down to its version byte: every reference now dangles.
  expectWireError({ ...good, dependencies: compressSection(Buffer.from([1])) }, /not a .* of this block/);
});

test('unknown kinds, bad levels and misplaced flags are refused', () => {
  const enc = new BlockEncoder(0);
  enc.log(1, 4, 't', 'm');
  const good = enc.finish();
  const objects = raw(good.objects);
  const tagAt = objects.length - 6; // the only record: tag, dt, level, target, len, 'm'
  const patch = (offset: number, byte: number): BlockPayload => {
    const copy = Buffer.from(objects);
    copy[offset] = byte;
    return { ...good, objects: compressSection(copy) };
  };
  assert.equal(objects[tagAt + 1], 0x02); // dt = 1, zigzag 2: checks the offset arithmetic above
  expectWireError(patch(tagAt, 0x3e), /unknown event kind 62/);
  expectWireError(patch(tagAt + 2, 9), /log level 9/);
  expectWireError(patch(tagAt, 0x44), /negative flag/);
  expectWireError(patch(tagAt, 0x84), /cannot carry properties/);
});

test('CBOR helpers reject empty and malformed bodies and round-trip byte strings', () => {
  assert.throws(() => decodeCbor(new Uint8Array(0)), WireFormatError);
  assert.throws(() => decodeCbor(Buffer.from([0x5f, 0x41])), WireFormatError);
  const back = decodeCbor(encodeCbor({ b: new Uint8Array([1, 2, 3]), n: 2 ** 40 })) as { b: Uint8Array; n: number };
  assert.deepStrictEqual([...back.b], [1, 2, 3]);
  assert.equal(back.n, 2 ** 40);
});

test('stream metadata names the format and version', () => {
  assert.deepStrictEqual(checkObjectsMetadata(objectsMetadata()), { format: 'micromegas-ts/events', version: 1 });
  assert.throws(() => checkObjectsMetadata(dependenciesMetadata(), 's-9'), /s-9/);
});
