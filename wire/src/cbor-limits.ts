/**
 * A linear pre-check of CBOR before cbor-x decodes it, refusing what our envelopes never contain.
 * cbor-x decodes far more than envelopes need, some of it in superlinear time (a tag-2 bignum of
 * 128 KiB takes seconds, a typed array of 16 MiB longer), and a request's body is decoded on the
 * event loop every role shares. The check walks item heads only (it jumps over string contents), so
 * it costs O(items) and bounds what cbor-x then does to linear work.
 */

export interface CborLimits {
  /** Deepest nesting of arrays and maps; the top-level item is at depth 1. */
  maxDepth: number;
  /** Array elements plus map entries, over the whole item. */
  maxItems: number;
  /** Bytes of all text strings together (map keys included). */
  maxTextBytes: number;
}

/**
 * What an envelope may hold (docs/wire-format.md): no field nests deeper than 2, and text fields
 * and properties are bounded well below these (ingestion checks each field).
 */
export const ENVELOPE_LIMITS: CborLimits = { maxDepth: 8, maxItems: 10_000, maxTextBytes: 1 << 20 };

/** Why a body is refused; `offset` is where the offending item starts. */
export class CborLimitError extends Error {
  override name = 'CborLimitError';
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
  }
}

const BREAK = 0xff;
/** Simple values an envelope can hold: false, true, null, undefined. */
const FIRST_SIMPLE = 20;
const LAST_SIMPLE = 23;

interface Open {
  /** Items still to read: elements, or keys and values of a map; Infinity when indefinite. */
  left: number;
  map: boolean;
  /** Items read so far (a map's keys are the even ones). */
  read: number;
}

/** Throws CborLimitError unless `bytes` is exactly one CBOR item within `limits` (no tags, text map keys). */
export function checkCbor(bytes: Uint8Array, limits: CborLimits = ENVELOPE_LIMITS): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  const open: Open[] = [];
  let pos = 0;
  let items = 0;
  let textBytes = 0;

  const truncated = (at: number): never => { throw new CborLimitError('Unexpected end of CBOR data', at); };
  const tooMany = (at: number): never => { throw new CborLimitError(`more than ${limits.maxItems} array elements and map entries`, at); };

  for (;;) {
    // Close what is complete; the top-level item done means the walk is over.
    let top = open.at(-1);
    while (top !== undefined && top.left === 0) {
      open.pop();
      top = open.at(-1);
      if (top !== undefined) { top.left--; top.read++; }
    }
    if (top === undefined && pos > 0) break;

    const at = pos;
    if (pos >= end) truncated(at);
    const initial = bytes[pos++]!;
    if (initial === BREAK && top !== undefined && top.left === Infinity) {
      if (top.map && top.read % 2 === 1) throw new CborLimitError('break after a map key with no value', at);
      top.left = 0;
      continue;
    }
    // Indefinite containers are counted as their items come (an entry at its key).
    if (top !== undefined && top.left === Infinity && (!top.map || top.read % 2 === 0) && ++items > limits.maxItems) tooMany(at);
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (top?.map === true && top.read % 2 === 0 && major !== 3) throw new CborLimitError(`map keys must be text strings, got major type ${major}`, at);

    let argument: number;
    if (info < 24) argument = info;
    else if (info === 24) { if (pos + 1 > end) truncated(at); argument = bytes[pos]!; pos += 1; }
    else if (info === 25) { if (pos + 2 > end) truncated(at); argument = view.getUint16(pos); pos += 2; }
    else if (info === 26) { if (pos + 4 > end) truncated(at); argument = view.getUint32(pos); pos += 4; }
    else if (info === 27) {
      if (pos + 8 > end) truncated(at);
      // Beyond 2^53 only integers make sense; as a length it is larger than any body anyway.
      argument = view.getUint32(pos) * 2 ** 32 + view.getUint32(pos + 4);
      pos += 8;
    } else if (info === 31 && (major === 4 || major === 5)) argument = Infinity;
    else throw new CborLimitError(`invalid CBOR head 0x${initial.toString(16)}`, at);

    let complete = true;
    switch (major) {
      case 0:
      case 1:
        break;
      case 2:
      case 3:
        if (argument > end - pos) truncated(at);
        if (major === 3) {
          textBytes += argument;
          if (textBytes > limits.maxTextBytes) throw new CborLimitError(`more than ${limits.maxTextBytes} bytes of text`, at);
        }
        pos += argument;
        break;
      case 4:
      case 5: {
        if (open.length + 1 > limits.maxDepth) throw new CborLimitError(`nesting deeper than ${limits.maxDepth}`, at);
        if (argument !== Infinity) {
          items += argument;
          // Every item takes at least a byte: a count the rest of the body cannot hold is a lie.
          if (argument * (major === 5 ? 2 : 1) > end - pos) truncated(at);
        }
        if (items > limits.maxItems) tooMany(at);
        open.push({ left: major === 5 ? argument * 2 : argument, map: major === 5, read: 0 });
        complete = false;
        break;
      }
      case 6:
        throw new CborLimitError(`CBOR tag ${argument} is not allowed (envelopes use no tags)`, at);
      default: // 7: floats and simple values
        if (info < 24 ? info < FIRST_SIMPLE || info > LAST_SIMPLE : info === 24) {
          throw new CborLimitError(`CBOR simple value ${argument} is not allowed`, at);
        }
    }
    if (!complete) continue;
    if (top === undefined) break;
    top.left--;
    top.read++;
  }
  if (pos !== end) throw new CborLimitError(`${end - pos} bytes after the CBOR item`, pos);
}
