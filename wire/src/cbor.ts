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
