/**
 * Bounds on what decoding a request may cost, checked on the bytes before anything is decoded: a
 * body of tiny repeated elements (a few bytes each in protobuf or JSON) would otherwise become
 * millions of objects, tens of times its own size, and deep nesting would exhaust the stack.
 * Protobuf is walked with protobufjs' reader and the OTLP schema (counting embedded messages and
 * strings, skipping everything else); JSON is scanned for its values and nesting.
 */
import protobuf from 'protobufjs';
import { OtlpRequestError } from './errors.js';

/** Elements (messages, strings, JSON values) one request may hold: a large batch holds tens of thousands. */
export const MAX_ELEMENTS = 1_000_000;
/** Nesting of messages (AnyValue arrays and lists nest): real payloads stay within 15 or so. */
export const MAX_NESTING = 64;

function tooMany(): never {
  throw new OtlpRequestError(413, `request holds more than ${MAX_ELEMENTS} elements (messages, strings): send smaller batches`);
}

function tooDeep(): never {
  throw new OtlpRequestError(400, `request nests deeper than ${MAX_NESTING} messages`);
}

export function checkProtobufLimits(type: protobuf.Type, bytes: Uint8Array): void {
  const reader = protobuf.Reader.create(bytes);
  let left = MAX_ELEMENTS;
  const walk = (message: protobuf.Type, end: number, depth: number): void => {
    if (depth > MAX_NESTING) tooDeep();
    while (reader.pos < end) {
      const tag = reader.uint32();
      const wireType = tag & 7;
      if (wireType !== 2) {
        reader.skipType(wireType);
        continue;
      }
      if (--left < 0) tooMany();
      const length = reader.uint32();
      const fieldEnd = reader.pos + length;
      if (fieldEnd > end) throw new RangeError(`field of ${length} bytes runs past its message`);
      const child = message.fieldsById[tag >>> 3]?.resolvedType;
      if (child instanceof protobuf.Type) walk(child, fieldEnd, depth + 1);
      reader.pos = fieldEnd;
    }
  };
  try {
    walk(type, bytes.byteLength, 0);
  } catch (err) {
    if (err instanceof OtlpRequestError) throw err;
    throw new OtlpRequestError(400, `malformed protobuf ${type.name}: ${(err as Error).message}`, { cause: err });
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/** JSON nests an array in every repeated field, so twice as deep as the messages. */
const MAX_JSON_NESTING = 2 * MAX_NESTING;

export function checkJsonLimits(text: Uint8Array): void {
  let inString = false;
  let escaped = false;
  let depth = 0;
  let elements = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_JSON_NESTING) tooDeep();
      if (++elements > MAX_ELEMENTS) tooMany();
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === COMMA) {
      if (++elements > MAX_ELEMENTS) tooMany();
    }
  }
}
