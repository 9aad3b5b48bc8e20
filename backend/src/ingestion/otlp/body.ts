/**
 * From an OTLP/HTTP request body to a request message: the content type chooses the encoding
 * (binary protobuf or OTLP/JSON), `content-encoding: gzip` is inflated up to the body cap (a gzip
 * bomb stops at the cap, as a 413), the limits are checked on the bytes, and the message decoded.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type protobuf from 'protobufjs';
import { OtlpRequestError } from './errors.js';
import { checkJsonLimits, checkProtobufLimits } from './limits.js';
import { decodeOtlpJson } from './json.js';

export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

const inflate = promisify(gunzip);

/** The encoding a content type names (parameters such as charset ignored), or undefined. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const mediaType = contentType?.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

/** The body as sent, before any content encoding: at most `maxBytes`. */
export async function decodedBody(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const coding = contentEncoding?.trim().toLowerCase() ?? '';
  if (coding === '' || coding === 'identity') return body;
  if (coding !== 'gzip' && coding !== 'x-gzip') {
    throw new OtlpRequestError(415, `content-encoding '${contentEncoding}' is not supported: send gzip or no encoding`);
  }
  try {
    return await inflate(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new OtlpRequestError(413, `gzip body inflates past ${maxBytes} bytes`, { cause: err });
    }
    throw new OtlpRequestError(400, `gzip body cannot be inflated: ${(err as Error).message}`, { cause: err });
  }
}

export function decodeRequest(type: protobuf.Type, encoding: Encoding, bytes: Buffer): protobuf.Message {
  if (encoding === 'json') {
    checkJsonLimits(bytes);
    return decodeOtlpJson(type, bytes.toString('utf8'));
  }
  checkProtobufLimits(type, bytes);
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new OtlpRequestError(400, `malformed protobuf ${type.name}: ${(err as Error).message}`, { cause: err });
  }
}
