/**
 * The hot path: one stream's events written into the columns of its current slab (slab.ts). An
 * event is a clock read and a few typed-array stores (plus, for strings, a reference and a length).
 * No allocation, no I/O, no promise. When the slab is full, `onFull` hands it to the sink worker
 * and attaches an empty one; encoding happens there.
 */
import { INLINE_TARGET } from './registry.js';
import { H_AT_MAX, H_AT_MIN, H_BEGIN, H_BYTES, H_END, H_EVENTS, H_STREAM, H_STRINGS, H_UNITS, type Slab } from './slab.js';

export const LOG = 1;
export const INT_MEASURE = 2;
export const FLOAT_MEASURE = 3;
export const SPAN_BEGIN = 4;
export const SPAN_END = 5;
export const ASYNC_BEGIN = 6;
export const ASYNC_END = 7;
/** A log whose `time` is already in ticks: timed by another clock (logAt). */
export const LOG_AT = 8;

export type PropertyBag = Readonly<Record<string, unknown>>;

/** Slots of the repeated-string cache. */
const RECENT = 64;
/** Flag of a `strLen` entry that is a reference: the low bits are the index of an earlier string. */
export const REPEAT = 0x80000000;

/** Objects as JSON, the rest with String(); whatever a value does, recording must not throw. */
function propertyText(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? String(value);
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export class EventBuffer {
  length = 0;
  readonly capacity: number;
  /** Raw clock reading when the slab started receiving events: the block's begin time. */
  beginRaw!: number;
  // The current slab and its columns (set by attach()).
  slab!: Slab;
  kind!: Uint8Array;
  time!: Float64Array;
  num!: Float64Array;
  parent!: Float64Array;
  ref!: Uint32Array;
  depth!: Uint32Array;
  nbProps!: Uint16Array;
  strLen!: Uint32Array;
  strCount = 0;
  /** UTF-16 units of the strings so far; past the slab's byte area the slab counts as full. */
  units = 0;
  /** Ticks of the earliest and latest LOG_AT event in the slab. */
  private atMin = Infinity;
  private atMax = -Infinity;
  /** The strings whose text is to be copied (repeats are not), and how many. */
  private readonly texts: string[];
  private textCount = 0;
  /** Of every slab: string slots, and UTF-8 bytes (the bound on `units`). */
  private readonly strCapacity: number;
  private readonly byteCapacity: number;
  /** Property keys and values of the event being recorded, before they are known to fit. */
  private readonly pairs: string[] = [];
  /**
   * The last string of each length (mod RECENT) put in this slab, and its index there: a string
   * recorded again (a message in a loop, a property key) is stored as a reference to it, so the
   * copy of its text is paid once per block instead of once per event.
   */
  private readonly recent = new Array<string>(RECENT).fill('');
  private readonly recentAt = new Int32Array(RECENT).fill(-1);

  constructor(
    slab: Slab,
    beginRaw: number,
    private readonly now: () => number,
    /** Hands the slab over and attaches another, or empties it (dropping its events). */
    private readonly onFull: () => void,
  ) {
    this.capacity = slab.layout.events;
    this.texts = new Array<string>(slab.layout.strings).fill('');
    this.strCapacity = slab.layout.strings;
    this.byteCapacity = slab.layout.bytes;
    this.attach(slab, beginRaw);
  }

  /** Starts filling `slab` (empty) from `beginRaw`. */
  attach(slab: Slab, beginRaw: number): void {
    this.slab = slab;
    this.kind = slab.kind;
    this.time = slab.time;
    this.num = slab.num;
    this.parent = slab.parent;
    this.ref = slab.ref;
    this.depth = slab.depth;
    this.nbProps = slab.nbProps;
    this.strLen = slab.strLen;
    this.empty(beginRaw);
  }

  /** Forgets the events (handed over or dropped) and lets go of their strings. */
  empty(beginRaw: number): void {
    this.texts.fill('', 0, this.textCount);
    this.recent.fill('');
    this.recentAt.fill(-1);
    this.length = 0;
    this.strCount = 0;
    this.textCount = 0;
    this.atMin = Infinity;
    this.atMax = -Infinity;
    this.units = 0;
    this.beginRaw = beginRaw;
  }

  /**
   * Completes the slab for the worker: header, and the strings as UTF-8 in its byte area. Returns
   * the strings joined when they do not fit there (they then go with the hand-over message).
   */
  seal(stream: number, endRaw: number): string | undefined {
    const slab = this.slab;
    const h = slab.header;
    h[H_STREAM] = stream;
    h[H_EVENTS] = this.length;
    h[H_STRINGS] = this.strCount;
    h[H_UNITS] = this.units;
    h[H_BEGIN] = this.beginRaw;
    h[H_END] = endRaw;
    h[H_AT_MIN] = this.atMin;
    h[H_AT_MAX] = this.atMax;
    h[H_BYTES] = 0;
    if (this.textCount === 0) return undefined;
    // One join and one UTF-8 write per block: far cheaper than a write per string.
    const texts = this.texts;
    const joined = (this.textCount === texts.length ? texts : texts.slice(0, this.textCount)).join('');
    const room = slab.layout.bytes;
    if (joined.length * 3 <= room || Buffer.byteLength(joined, 'utf8') <= room) {
      h[H_BYTES] = slab.bytes.write(joined, 0, 'utf8');
      return undefined;
    }
    h[H_BYTES] = -1;
    return joined;
  }

  private full(): number {
    this.onFull();
    return this.length;
  }

  private str(s: string): void {
    const k = this.strCount;
    const length = s.length;
    const slot = length & (RECENT - 1);
    const at = this.recentAt[slot]!;
    if (at >= 0 && this.recent[slot] === s) {
      this.strLen[k] = REPEAT | at;
    } else {
      this.recent[slot] = s;
      this.recentAt[slot] = k;
      this.texts[this.textCount++] = s;
      this.strLen[k] = length;
      this.units += length;
    }
    this.strCount = k + 1;
  }

  /** Copies the properties' entries into `pairs` (as many as an empty slab holds besides two strings); returns their count. */
  private collect(properties: PropertyBag): number {
    const max = (this.strCapacity - 2) >> 1;
    const pairs = this.pairs;
    let n = 0;
    for (const key in properties) {
      if (!Object.prototype.hasOwnProperty.call(properties, key)) continue;
      if (n === max || n === 0xffff) break;
      const value = properties[key];
      pairs[2 * n] = key;
      pairs[2 * n + 1] = typeof value === 'string' ? value : propertyText(value);
      n++;
    }
    return n;
  }

  /** The slot of an event with `strings` strings, handing the slab over first if they do not fit. */
  private slotFor(strings: number): number {
    const i = this.length;
    if (i === this.capacity || this.strCount + strings > this.strCapacity || this.units > this.byteCapacity) return this.full();
    return i;
  }

  private pushPairs(n: number): void {
    const pairs = this.pairs;
    for (let k = 0; k < 2 * n; k++) {
      this.str(pairs[k]!);
      pairs[k] = '';
    }
  }

  log(level: number, targetId: number, target: string, msg: string, properties: PropertyBag | undefined): void {
    const n = properties === undefined ? 0 : this.collect(properties);
    const inline = targetId === INLINE_TARGET;
    const i = this.slotFor(1 + (inline ? 1 : 0) + 2 * n);
    if (inline) this.str(target);
    this.str(msg);
    if (n > 0) this.pushPairs(n);
    this.kind[i] = LOG;
    this.num[i] = level;
    this.ref[i] = targetId;
    this.nbProps[i] = n;
    this.time[i] = this.now();
    this.length = i + 1;
  }

  /** A log entry timed by another clock, at `ticks`: the block's bounds widen to cover it. */
  logAt(ticks: number, level: number, targetId: number, target: string, msg: string, properties: PropertyBag | undefined): void {
    this.log(level, targetId, target, msg, properties);
    const i = this.length - 1;
    this.kind[i] = LOG_AT;
    this.time[i] = ticks;
    if (ticks < this.atMin) this.atMin = ticks;
    if (ticks > this.atMax) this.atMax = ticks;
  }

  measure(kind: number, id: number, value: number, properties: PropertyBag | undefined): void {
    let i: number;
    let n = 0;
    if (properties === undefined) {
      i = this.length;
      if (i === this.capacity) i = this.full();
    } else {
      n = this.collect(properties);
      i = this.slotFor(2 * n);
      this.pushPairs(n);
    }
    this.kind[i] = kind;
    this.num[i] = value;
    this.ref[i] = id;
    this.nbProps[i] = n;
    this.time[i] = this.now();
    this.length = i + 1;
  }

  span(kind: number, id: number): void {
    let i = this.length;
    if (i === this.capacity) i = this.full();
    this.kind[i] = kind;
    this.ref[i] = id;
    this.time[i] = this.now();
    this.length = i + 1;
  }

  asyncSpan(kind: number, id: number, spanId: number, parentSpanId: number, depth: number): void {
    let i = this.length;
    if (i === this.capacity) i = this.full();
    this.kind[i] = kind;
    this.ref[i] = id;
    this.num[i] = spanId;
    this.parent[i] = parentSpanId;
    this.depth[i] = depth;
    this.time[i] = this.now();
    this.length = i + 1;
  }
}
