/**
 * A slab: one block's worth of events in a SharedArrayBuffer, as typed-array columns. The recording
 * thread fills it, hands it to the sink worker (a message with its index: nothing is copied), and
 * takes an empty one; the worker encodes it and marks it free again (slab-pool.ts).
 *
 * Strings (messages, property keys and values, targets beyond the interned ones) are kept as
 * references while recording and, when the slab is handed over, written once as UTF-8 into its
 * byte area, with each string's length in UTF-16 units in `strLen` (bench/sdk.ts compares this
 * with encoding each string as it is recorded and with posting the strings: it is the cheapest).
 */

/** Header fields (a Float64Array at the start of the slab). */
export const H_STREAM = 0;
export const H_EVENTS = 1;
export const H_STRINGS = 2;
/** UTF-8 bytes in the byte area; -1 when the strings did not fit and came with the message. */
export const H_BYTES = 3;
/** UTF-16 units of all strings: equal to H_BYTES exactly when every string is ASCII. */
export const H_UNITS = 4;
export const H_BEGIN = 5;
export const H_END = 6;
/** Earliest and latest ticks of the events timed by another clock (logAt), ±Infinity if none. */
export const H_AT_MIN = 7;
export const H_AT_MAX = 8;
const HEADER_SLOTS = 10;

/** UTF-8 bytes reserved per event, and strings per event (a message, or a property pair). */
const BYTES_PER_EVENT = 32;
const STRINGS_PER_EVENT = 2;
/** Even small slabs hold an event with a few hundred properties (the rest of an event's are dropped). */
const MIN_STRINGS = 1024;

export interface SlabLayout {
  events: number;
  strings: number;
  bytes: number;
}

export function slabLayout(events: number): SlabLayout {
  return { events, strings: Math.max(MIN_STRINGS, events * STRINGS_PER_EVENT), bytes: Math.max(4096, events * BYTES_PER_EVENT) };
}

/** Views over one slab's memory, built once per slab on each side. */
export class Slab {
  readonly header: Float64Array;
  readonly time: Float64Array;
  /** Level, measure value, or async span id. */
  readonly num: Float64Array;
  /** Async span parent id. */
  readonly parent: Float64Array;
  /** Descriptor or target id (registry.ts). */
  readonly ref: Uint32Array;
  /** Async span depth. */
  readonly depth: Uint32Array;
  readonly strLen: Uint32Array;
  readonly nbProps: Uint16Array;
  readonly kind: Uint8Array;
  /** The UTF-8 area, as a Buffer for `write` and a plain view for reading. */
  readonly bytes: Buffer;

  constructor(
    readonly index: number,
    readonly memory: SharedArrayBuffer,
    readonly layout: SlabLayout,
  ) {
    const { events, strings, bytes } = layout;
    let at = 0;
    const take = (size: number): number => {
      const start = at;
      at += size;
      return start;
    };
    this.header = new Float64Array(memory, take(8 * HEADER_SLOTS), HEADER_SLOTS);
    this.time = new Float64Array(memory, take(8 * events), events);
    this.num = new Float64Array(memory, take(8 * events), events);
    this.parent = new Float64Array(memory, take(8 * events), events);
    this.ref = new Uint32Array(memory, take(4 * events), events);
    this.depth = new Uint32Array(memory, take(4 * events), events);
    this.strLen = new Uint32Array(memory, take(4 * strings), strings);
    this.nbProps = new Uint16Array(memory, take(2 * events), events);
    this.kind = new Uint8Array(memory, take(events), events);
    this.bytes = Buffer.from(memory, take(bytes), bytes);
  }

  static byteLength(layout: SlabLayout): number {
    return 8 * HEADER_SLOTS + layout.events * (8 * 3 + 4 * 2 + 2 + 1) + layout.strings * 4 + layout.bytes;
  }

  static allocate(index: number, layout: SlabLayout): Slab {
    return new Slab(index, new SharedArrayBuffer(Slab.byteLength(layout)), layout);
  }
}
