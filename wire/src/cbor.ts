/**
 * CBOR for envelopes and stream metadata (cbor-x). Byte fields are plain CBOR byte strings and maps
 * plain maps (no cbor-x record or typed-array extensions) so any CBOR implementation can read them.
 * Decoding refuses, before cbor-x sees them, items an envelope never holds (./cbor-limits).
 */
import { Encoder } from 'cbor-x';
import { WireFormatError, type BlockContext } from './errors.js';
import { checkCbor, ENVELOPE_LIMITS, type CborLimits } from './cbor-limits.js';

const codec = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });

export function encodeCbor(value: unknown): Buffer {
  return codec.encode(value);
}

/** A CBOR array of items already encoded (at most 65,535), without decoding or re-encoding them. */
export function encodeCborArray(items: readonly Uint8Array[]): Buffer {
  const count = items.length;
  if (count > 0xffff) throw new RangeError(`encodeCborArray: ${count} items, at most 65535`);
  const head = count < 24 ? [0x80 | count] : count < 0x100 ? [0x98, count] : [0x99, count >> 8, count & 0xff];
  return Buffer.concat([Uint8Array.from(head), ...items]);
}

/** Throws WireFormatError on anything that is not exactly one CBOR item within `limits`. */
export function decodeCbor(bytes: Uint8Array, context: BlockContext = {}, limits: CborLimits = ENVELOPE_LIMITS): unknown {
  if (bytes.byteLength === 0) throw new WireFormatError('empty CBOR body', 'envelope', 0, context);
  try {
    checkCbor(bytes, limits);
    return codec.decode(bytes);
  } catch (err) {
    throw new WireFormatError(`invalid CBOR: ${(err as Error).message}`, 'envelope', undefined, context);
  }
}
