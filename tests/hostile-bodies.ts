/**
 * Request bodies built to make a CBOR decoder work hard: each is small to send and, decoded naively,
 * costly (quadratic bignums, millions of tiny items, deep nesting, cbor-x's tags and extensions).
 * Shared by the hostile-ingestion tests and `npm run bench -- hostile`.
 */

/** A CBOR head: major type and argument, in the shortest form that holds `n` up to 2^32 − 1. */
function head(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return Uint8Array.of(m | n);
  if (n < 0x100) return Uint8Array.of(m | 24, n);
  if (n < 0x10000) return Uint8Array.of(m | 25, n >> 8, n & 0xff);
  return Uint8Array.of(m | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function repeat(unit: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(unit.byteLength * times);
  for (let i = 0; i < times; i++) out.set(unit, i * unit.byteLength);
  return out;
}

const text = (s: string): Uint8Array => concat([head(3, Buffer.byteLength(s)), Buffer.from(s)]);
const bytes = (n: number, fill = 0xff): Uint8Array => concat([head(2, n), new Uint8Array(n).fill(fill)]);
const tag = (t: number, content: Uint8Array): Uint8Array => concat([head(6, t), content]);

/** The body of the issue: tag 2 (positive bignum) over `n` bytes of 0xff, `c2 5a` + length + bytes. */
export function bignum(n: number, negative = false): Uint8Array {
  return concat([Uint8Array.of(negative ? 0xc3 : 0xc2, 0x5a, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff), new Uint8Array(n).fill(0xff)]);
}

/** An array of `n` zeros. */
export function tinyItemArray(n: number): Uint8Array {
  return concat([head(4, n), new Uint8Array(n)]);
}

/** A map of `n` distinct 3-byte text keys to 0. */
export function tinyItemMap(n: number): Uint8Array {
  const entries = new Uint8Array(n * 5);
  for (let i = 0; i < n; i++) entries.set([0x63, 0x61 + (i >> 16) % 26, (i >> 8) & 0xff, i & 0xff, 0x00], i * 5);
  return concat([head(5, n), entries]);
}

/** A map of `n` entries that all have the same key. */
export function sameKeyMap(n: number): Uint8Array {
  return concat([head(5, n), repeat(Uint8Array.of(0x61, 0x6b, 0x00), n)]);
}

/** `depth` arrays, each the only element of the one around it. */
export function deepNesting(depth: number): Uint8Array {
  return concat([new Uint8Array(depth).fill(0x81), Uint8Array.of(0x00)]);
}

/** As deep, with indefinite-length arrays (each closed by a break). */
export function deepIndefinite(depth: number): Uint8Array {
  return concat([new Uint8Array(depth).fill(0x9f), Uint8Array.of(0x00), new Uint8Array(depth).fill(0xff)]);
}

/** One text string of `n` bytes. */
export function bigText(n: number): Uint8Array {
  return concat([head(3, n), new Uint8Array(n).fill(0x61)]);
}

/** An array of `n` one-character text strings. */
export function manyTexts(n: number): Uint8Array {
  return concat([head(4, n), repeat(Uint8Array.of(0x61, 0x78), n)]);
}

/** An array of `n` float64 values. */
export function floatArray(n: number): Uint8Array {
  const unit = new Uint8Array(9);
  unit[0] = 0xfb;
  new DataView(unit.buffer).setFloat64(1, Math.PI);
  return concat([head(4, n), repeat(unit, n)]);
}

/** Tag 24 (embedded CBOR) around a byte string holding a bignum body. */
export function embeddedCbor(n: number): Uint8Array {
  const inner = bignum(n);
  return tag(24, concat([head(2, inner.byteLength), inner]));
}

/** A typed array (tag 85, float64 little-endian) over `n` bytes. */
export function typedArray(n: number): Uint8Array {
  return tag(85, bytes(n, 0));
}

/**
 * cbor-x records: a record definition (tag 0xdfff) with `keys` fields, then the same record used
 * again, so that cbor-x compiles a reader for a structure of that many keys.
 */
export function records(keys: number, uses = 4): Uint8Array {
  const names = Array.from({ length: keys }, (_, i) => text(`k${i}`));
  const definition = concat([tag(0xdfff, concat([head(4, keys + 2), head(0, 0xe000), head(4, keys), ...names, ...new Array(keys).fill(Uint8Array.of(0x00))]))]);
  const use = concat([head(6, 0xe000), head(4, keys), new Uint8Array(keys)]);
  return concat([head(4, uses + 1), definition, ...new Array(uses).fill(use)]);
}

/** Tag 27 (generic object): cbor-x builds `RegExp(pattern)` from an `n`-byte pattern. */
export function regexpObject(n: number): Uint8Array {
  return tag(27, concat([head(4, 2), text('RegExp'), concat([head(3, n), repeat(Buffer.from('(a|'), Math.floor(n / 3))])]));
}

/** Tags 28/29 (shared values): `n` references to one shared array, a billion-laughs shape. */
export function sharedReferences(n: number): Uint8Array {
  return concat([head(4, n + 1), tag(28, tinyItemArray(1000)), repeat(Uint8Array.of(0xd8, 29, 0x00), n)]);
}

/** A valid-looking envelope whose one extra field is `value`: limits apply inside fields too. */
export function inEnvelope(fields: Record<string, Uint8Array>, value: Uint8Array): Uint8Array {
  const entries = Object.entries(fields).map(([k, v]) => concat([text(k), v]));
  return concat([head(5, entries.length + 1), ...entries, text('extra'), value]);
}

export interface HostileBody {
  name: string;
  body: Uint8Array;
}

/** The catalogue; at `scale` 1, sizes for which a naive decoder still finishes, in seconds. */
const size = (bytes: number) => (bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`);
const many = (count: number) => (count >= 1e6 ? `${count / 1e6}M` : `${count / 1e3}k`);

export function hostileBodies(scale = 1): HostileBody[] {
  const n = (count: number) => Math.round(count * scale);
  const [bigBytes, mib, kib128] = [n(16 << 20), n(1 << 20), n(128 << 10)];
  const [zeros, entries, deep, indefinite, keys] = [n(4e6), n(1e6), n(1e6), n(5e5), n(2e4)];
  return [
    { name: `bignum tag 2, ${size(kib128)}`, body: bignum(kib128) },
    { name: `bignum tag 3, ${size(kib128)}`, body: bignum(kib128, true) },
    { name: `tag 24 around a bignum, ${size(kib128)}`, body: embeddedCbor(kib128) },
    { name: `array of ${many(zeros)} zeros`, body: tinyItemArray(zeros) },
    { name: `map of ${many(entries)} distinct keys`, body: tinyItemMap(entries) },
    { name: `map of ${many(entries)} equal keys`, body: sameKeyMap(entries) },
    { name: `array of ${many(entries)} one-letter texts`, body: manyTexts(entries) },
    { name: `array of ${many(entries)} float64`, body: floatArray(entries) },
    { name: `nesting ${many(deep)} deep`, body: deepNesting(deep) },
    { name: `indefinite nesting ${many(indefinite)} deep`, body: deepIndefinite(indefinite) },
    { name: `text of ${size(bigBytes)}`, body: bigText(bigBytes) },
    { name: `typed array tag 85, ${size(bigBytes)}`, body: typedArray(bigBytes) },
    { name: `record of ${many(keys)} keys used 4 times`, body: records(keys) },
    { name: `tag 27 RegExp of ${size(mib)}`, body: regexpObject(mib) },
    { name: `tags 28/29: ${many(entries)} shared refs`, body: sharedReferences(entries) },
  ];
}
