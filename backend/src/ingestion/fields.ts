import type { Int64, Property } from '../lake/telemetry/records.js';
import { BadEnvelopeError } from './errors.js';
import { parseRfc3339Ns } from './rfc3339.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Ids become object-store key segments and SQL keys: keep them plain. */
const ID = /^[0-9A-Za-z_-][0-9A-Za-z_.-]{0,127}$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'a map';
  return `a ${typeof value}`;
}

/**
 * Reads the fields of one decoded CBOR map, each checked for presence and type; the first bad one
 * throws BadEnvelopeError naming the envelope and the field (dotted for nested maps).
 */
export class FieldReader {
  readonly #fields: Map<unknown, unknown>;

  constructor(readonly envelope: string, value: unknown, readonly path = '') {
    if (value instanceof Map) this.#fields = value;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
      this.#fields = new Map(Object.entries(value));
    } else {
      throw new BadEnvelopeError(envelope, `must be a map, got ${describe(value)}`, path === '' ? undefined : path.slice(0, -1));
    }
  }

  #fail(field: string, message: string): never {
    throw new BadEnvelopeError(this.envelope, message, this.path + field);
  }

  #get(field: string): unknown {
    const value = this.#fields.get(field);
    if (value === undefined) this.#fail(field, 'is missing');
    return value;
  }

  #expected(field: string, what: string, value: unknown): never {
    this.#fail(field, `must be ${what}, got ${describe(value)}`);
  }

  string(field: string): string {
    const value = this.#get(field);
    if (typeof value !== 'string') this.#expected(field, 'a text string', value);
    return value;
  }

  id(field: string): string {
    const value = this.string(field);
    if (!ID.test(value)) this.#fail(field, `must be an id of 1 to 128 letters, digits, '_', '-' or '.', got ${JSON.stringify(value.slice(0, 140))}`);
    return value;
  }

  int64(field: string, min = INT64_MIN): Int64 {
    const value = this.#get(field);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
    if (typeof value === 'bigint' && value >= min && value <= INT64_MAX) return value;
    if (typeof value === 'number' || typeof value === 'bigint') this.#fail(field, `must be an integer in [${min}, ${INT64_MAX}], got ${value}`);
    this.#expected(field, 'an integer', value);
  }

  /** An int32 count or index, ≥ 0. */
  count(field: string): number {
    const value = this.int64(field, 0n);
    if (value > 2 ** 31 - 1) this.#fail(field, `must be at most ${2 ** 31 - 1}, got ${value}`);
    return Number(value);
  }

  /** An RFC 3339 time, as nanoseconds since the Unix epoch. */
  time(field: string): bigint {
    const text = this.string(field);
    const ns = parseRfc3339Ns(text);
    if (ns === undefined) this.#fail(field, `must be an RFC 3339 time such as 2024-01-02T03:04:05.123456789Z, got ${JSON.stringify(text.slice(0, 64))}`);
    return ns;
  }

  bytes(field: string): Uint8Array {
    const value = this.#get(field);
    if (!(value instanceof Uint8Array)) this.#expected(field, 'a byte string', value);
    return value;
  }

  strings(field: string): string[] {
    const value = this.#get(field);
    if (!Array.isArray(value)) this.#expected(field, 'an array of text strings', value);
    value.forEach((item, i) => {
      if (typeof item !== 'string') this.#expected(`${field}[${i}]`, 'a text string', item);
    });
    return value as string[];
  }

  /** A map of text to text, as the {key, value} list the views expose. */
  properties(field: string): Property[] {
    const map: FieldReader = this.map(field);
    return [...map.#fields].map(([key, value]) => {
      if (typeof key !== 'string') map.#fail(String(key), 'property keys must be text strings');
      if (typeof value !== 'string') map.#expected(key, 'a text string', value);
      return { key, value };
    });
  }

  map(field: string): FieldReader {
    return new FieldReader(this.envelope, this.#get(field), `${this.path}${field}.`);
  }
}
