/**
 * CBOR for envelopes and stream metadata (cbor-x). Byte fields are plain CBOR byte strings and maps
 * plain maps (no cbor-x record or typed-array extensions) so any CBOR implementation can read them.
 */
import { Encoder } from 'cbor-x';
import { WireFormatError, type BlockContext } from './errors.js';

const codec = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });

export function encodeCbor(value: unknown): Buffer {
  return codec.encode(value);
}

/** Throws WireFormatError on anything that is not exactly one CBOR item. */
export function decodeCbor(bytes: Uint8Array, context: BlockContext = {}): unknown {
  if (bytes.byteLength === 0) throw new WireFormatError('empty CBOR body', 'envelope', 0, context);
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new WireFormatError(`invalid CBOR: ${(err as Error).message}`, 'envelope', undefined, context);
  }
}
