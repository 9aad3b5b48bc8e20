/**
 * LZ4 block compression of payload sections (lz4-napi: the LZ4 block format prefixed with the
 * uncompressed size as a u32 LE). Decompression checks that prefix first, so a corrupt or hostile
 * size cannot make the decoder allocate gigabytes.
 */
import { compressSync, uncompressSync } from 'lz4-napi';
import { WireFormatError, type BlockContext } from './errors.js';

/** LZ4 cannot expand data by more than ~255x; anything claiming more is corrupt. */
const MAX_RATIO = 255;
/** Upper bound on one decompressed section, whatever the ratio. */
export const MAX_SECTION_BYTES = 256 * 1024 * 1024;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function compressSection(bytes: Uint8Array): Buffer {
  return compressSync(asBuffer(bytes));
}

export function uncompressSection(bytes: Uint8Array, section: string, context: BlockContext = {}): Buffer {
  if (!(bytes instanceof Uint8Array)) {
    throw new WireFormatError('payload section is not a byte string', section, undefined, context);
  }
  if (bytes.byteLength < 4) {
    throw new WireFormatError(`LZ4 section of ${bytes.byteLength} bytes is too short`, section, undefined, context);
  }
  const buf = asBuffer(bytes);
  const size = buf.readUInt32LE(0);
  if (size > MAX_SECTION_BYTES || size > (buf.length - 4) * MAX_RATIO + 16) {
    throw new WireFormatError(`LZ4 section claims ${size} bytes from ${buf.length}`, section, undefined, context);
  }
  let out: Buffer;
  try {
    out = uncompressSync(buf);
  } catch (err) {
    throw new WireFormatError(`corrupt LZ4 data: ${(err as Error).message}`, section, undefined, context);
  }
  if (out.length !== size) {
    throw new WireFormatError(`LZ4 section decoded to ${out.length} bytes, expected ${size}`, section, undefined, context);
  }
  return out;
}
