import type { Int64, Property } from '../lake/telemetry/records.js';
import { BadEnvelopeError } from './errors.js';
import { parseRfc3339Ns } from './rfc3339.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Ids become object-store key segments and SQL keys: keep them plain. */
const ID = /^[0-9A-Za-z_-][0-9A-Za-z_.-]{0,127}$/;
/** Times are also kept as int64 nanoseconds since the epoch: 1677-09-21 to 2262-04-11. */
const TIME_RANGE = '1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z';

/** How much a field may hold (docs/wire-format.md, "Limits"); lengths in characters (UTF-16 code units). */
export interface TextLimit {
  maxLength: number;
}

export interface ListLimit {
  maxEntries: number;
  item: TextLimit;
}

export interface MapLimit {
  maxEntries: number;
  key: TextLimit;
  value: TextLimit;
}

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
  /** The map as decoded: a Map, or a plain object (cbor-x's text-keyed maps), read in place rather than copied. */
  readonly #fields: Map<unknown, unknown> | Record<string, unknown>;

  constructor(readonly envelope: string, value: unknown, readonly path = '') {
    if (value instanceof Map) this.#fields = value;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
      this.#fields = value as Record<string, unknown>;
    } else {
      throw new BadEnvelopeError(envelope, `must be a map, got ${describe(value)}`, path === '' ? undefined : path.slice(0, -1));
    }
  }

  /** The map's entries (an object's own enumerable ones). */
  #entries(): [unknown, unknown][] {
    return this.#fields instanceof Map ? [...this.#fields] : Object.entries(this.#fields);
  }

  #fail(field: string, message: string): never {
    throw new BadEnvelopeError(this.envelope, message, this.path + field);
  }

  /** Refuses `field` for a reason that involves other fields. */
  refuse(field: string, message: string): never {
    this.#fail(field, message);
  }

  #get(field: string): unknown {
    const fields = this.#fields;
    const value = fields instanceof Map ? fields.get(field) : Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (value === undefined) this.#fail(field, 'is missing');
    return value;
  }

  #expected(field: string, what: string, value: unknown): never {
    this.#fail(field, `must be ${what}, got ${describe(value)}`);
  }

  string(field: string, limit?: TextLimit): string {
    const value = this.#get(field);
    if (typeof value !== 'string') this.#expected(field, 'a text string', value);
    if (limit !== undefined) this.#checkText(field, value, limit);
    return value;
  }

  /** PostgreSQL text holds no NUL, and text fields have a length bound. */
  #checkText(field: string, value: string, limit: TextLimit): void {
    if (value.length > limit.maxLength) this.#fail(field, `must be at most ${limit.maxLength} characters, got ${value.length}`);
    const nul = value.indexOf('\0');
    if (nul >= 0) this.#fail(field, `must not contain NUL (U+0000), found at character ${nul}`);
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

  /** An RFC 3339 time, as nanoseconds since the Unix epoch (which must fit an int64). */
  time(field: string): bigint {
    const text = this.string(field);
    const ns = parseRfc3339Ns(text);
    if (ns === undefined) this.#fail(field, `must be an RFC 3339 time such as 2024-01-02T03:04:05.123456789Z, got ${JSON.stringify(text.slice(0, 64))}`);
    if (ns < INT64_MIN || ns > INT64_MAX) this.#fail(field, `must be from ${TIME_RANGE}, got ${JSON.stringify(text.slice(0, 64))}`);
    return ns;
  }

  bytes(field: string, maxBytes = Infinity): Uint8Array {
    const value = this.#get(field);
    if (!(value instanceof Uint8Array)) this.#expected(field, 'a byte string', value);
    if (value.byteLength > maxBytes) this.#fail(field, `must be at most ${maxBytes} bytes, got ${value.byteLength}`);
    return value;
  }

  strings(field: string, limit: ListLimit): string[] {
    const value = this.#get(field);
    if (!Array.isArray(value)) this.#expected(field, 'an array of text strings', value);
    if (value.length > limit.maxEntries) this.#fail(field, `must have at most ${limit.maxEntries} entries, got ${value.length}`);
    value.forEach((item, i) => {
      if (typeof item !== 'string') this.#expected(`${field}[${i}]`, 'a text string', item);
      this.#checkText(`${field}[${i}]`, item, limit.item);
    });
    return value as string[];
  }

  /** A map of text to text, as the {key, value} list the views expose. */
  properties(field: string, limit: MapLimit): Property[] {
    const map: FieldReader = this.map(field);
    const entries = map.#entries();
    if (entries.length > limit.maxEntries) this.#fail(field, `must have at most ${limit.maxEntries} entries, got ${entries.length}`);
    return entries.map(([key, value]) => {
      if (typeof key !== 'string') map.#fail(String(key), 'property keys must be text strings');
      if (key.length > limit.key.maxLength) map.#fail(key.slice(0, 64), `is a key longer than ${limit.key.maxLength} characters (${key.length})`);
      if (key.includes('\0')) map.#fail(JSON.stringify(key).slice(1, -1), 'is a key with a NUL (U+0000)');
      if (typeof value !== 'string') map.#expected(key, 'a text string', value);
      map.#checkText(key, value, limit.value);
      return { key, value };
    });
  }

  map(field: string): FieldReader {
    return new FieldReader(this.envelope, this.#get(field), `${this.path}${field}.`);
  }
}
