/**
 * OTLP/JSON into protobufjs messages. OTLP's JSON is proto3's JSON mapping with lowerCamelCase keys,
 * except that trace and span ids are hex (not base64) and enums are integers. Before protobufjs'
 * `fromObject` (which takes the rest), the parsed JSON is walked along the schema: ids are decoded
 * from hex, 64-bit integers (decimal strings or numbers) are checked, and values of the wrong shape
 * are refused with their path, so a malformed body is a 400 and not a silent zero. Unknown keys are
 * ignored, as OTLP requires.
 */
import protobuf from 'protobufjs';
import { OtlpRequestError } from './errors.js';

/** Bytes fields that OTLP/JSON writes in hex: every traceId, spanId and parentSpanId. */
const HEX_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

const INT64_RANGE: Record<string, [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const INTEGER_TEXT = /^-?[0-9]+$/;

function bad(path: string, message: string): never {
  throw new OtlpRequestError(400, `invalid OTLP/JSON at ${path}: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function element(field: protobuf.Field, value: unknown, path: string): unknown {
  if (value === null) return value;
  const child = field.resolvedType;
  if (child instanceof protobuf.Type) {
    if (!isObject(value)) bad(path, `expected an object (${child.name})`);
    normalize(child, value, path);
    return value;
  }
  if (field.type === 'bytes' && HEX_FIELDS.has(field.name)) {
    if (typeof value !== 'string' || !HEX.test(value)) bad(path, 'expected a hex string');
    return new Uint8Array(Buffer.from(value, 'hex'));
  }
  const range = INT64_RANGE[field.type];
  if (range !== undefined) {
    const text = typeof value === 'number' && Number.isInteger(value) ? value.toFixed(0) : value;
    if (typeof text !== 'string' || !INTEGER_TEXT.test(text)) bad(path, `expected a ${field.type} as a decimal string`);
    const n = BigInt(text);
    if (n < range[0] || n > range[1]) bad(path, `${text} is out of ${field.type} range`);
    return text;
  }
  return value;
}

function normalize(type: protobuf.Type, object: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(object)) {
    // Own keys only: '__proto__' or 'constructor' name no field.
    const field = Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    if (field === undefined || value === null || value === undefined) continue;
    const at = `${path}.${key}`;
    if (field.repeated) {
      if (!Array.isArray(value)) bad(at, 'expected an array');
      object[key] = value.map((item, i) => element(field, item, `${at}[${i}]`));
    } else {
      object[key] = element(field, value, at);
    }
  }
}

/** The request message of an OTLP/JSON body (already checked by checkJsonLimits). */
export function decodeOtlpJson(type: protobuf.Type, text: string): protobuf.Message {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OtlpRequestError(400, `body is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(parsed)) bad('$', `expected an object (${type.name})`);
  normalize(type, parsed, '$');
  try {
    return type.fromObject(parsed);
  } catch (err) {
    throw new OtlpRequestError(400, `invalid OTLP/JSON ${type.name}: ${(err as Error).message}`, { cause: err });
  }
}
