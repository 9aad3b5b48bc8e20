/**
 * The hot path: one stream's events as preallocated columns. Writing an event is a few typed-array
 * stores plus object/string references into slot arrays (strings are immutable, so UTF-8 encoding
 * can wait for the seal). No allocation, no I/O, no promise. Property objects are mutable, so their
 * entries are copied into a string slot array at record time.
 */
import { performance } from 'node:perf_hooks';
import type { MetricDescriptor, SpanDescriptor } from '@micromegas/wire';

export const LOG = 1;
export const INT_MEASURE = 2;
export const FLOAT_MEASURE = 3;
export const SPAN_BEGIN = 4;
export const SPAN_END = 5;
export const ASYNC_BEGIN = 6;
export const ASYNC_END = 7;

export type PropertyBag = Readonly<Record<string, unknown>>;

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
  /** performance.now() when the buffer started receiving events: the block's begin time. */
  beginMs = performance.now();
  readonly kind: Uint8Array;
  readonly time: Float64Array;
  /** Level, measure value, or async span id. */
  readonly num: Float64Array;
  /** Async span parent id and depth, two per event. */
  readonly extra: Float64Array;
  /** Span/metric descriptor or log target. */
  readonly ref: unknown[];
  readonly msg: (string | undefined)[];
  /** Number of properties of each event; their key/value strings follow in `props`. */
  readonly nbProps: Uint16Array;
  /** Grows to its high-water mark, then is reused: only property-heavy bursts allocate. */
  readonly props: string[] = [];
  propsLength = 0;

  constructor(
    readonly capacity: number,
    /** Seals the buffer (which empties it); called when an event finds no free slot. */
    private readonly onFull: () => void,
  ) {
    this.kind = new Uint8Array(capacity);
    this.time = new Float64Array(capacity);
    this.num = new Float64Array(capacity);
    this.extra = new Float64Array(capacity * 2);
    this.ref = new Array<unknown>(capacity).fill(undefined);
    this.msg = new Array<string | undefined>(capacity).fill(undefined);
    this.nbProps = new Uint16Array(capacity);
  }

  /**
   * Forgets the events (after they were encoded) and drops message and property strings so they
   * can be collected. `ref` keeps descriptors and targets, which live as long as their call sites.
   */
  clear(beginMs: number): void {
    this.msg.fill(undefined, 0, this.length);
    this.props.fill('', 0, this.propsLength);
    this.length = 0;
    this.propsLength = 0;
    this.beginMs = beginMs;
  }

  /** Index of the next free slot, sealing the buffer first when it is full. */
  private slot(): number {
    if (this.length === this.capacity) this.onFull();
    return this.length;
  }

  private copyProps(i: number, properties: PropertyBag | undefined): void {
    if (properties === undefined) {
      this.nbProps[i] = 0;
      return;
    }
    let p = this.propsLength;
    let n = 0;
    const props = this.props;
    for (const key in properties) {
      if (!Object.prototype.hasOwnProperty.call(properties, key)) continue;
      const value = properties[key];
      props[p++] = key;
      props[p++] = typeof value === 'string' ? value : propertyText(value);
      if (++n === 0xffff) break;
    }
    this.nbProps[i] = n;
    this.propsLength = p;
  }

  private record(kind: number, ref: unknown, num: number, properties: PropertyBag | undefined): void {
    const i = this.slot();
    this.kind[i] = kind;
    this.time[i] = performance.now();
    this.num[i] = num;
    this.ref[i] = ref;
    this.copyProps(i, properties);
    this.length = i + 1;
  }

  log(level: number, target: string, msg: string, properties: PropertyBag | undefined): void {
    this.msg[this.slot()] = msg;
    this.record(LOG, target, level, properties);
  }

  /** A log entry timed by another clock at `reading` (≤ now): the block's begin moves back to cover it. */
  logAt(reading: number, level: number, target: string, msg: string, properties: PropertyBag | undefined): void {
    this.log(level, target, msg, properties);
    this.time[this.length - 1] = reading;
    if (reading < this.beginMs) this.beginMs = reading;
  }

  measure(kind: number, desc: MetricDescriptor, value: number, properties: PropertyBag | undefined): void {
    this.record(kind, desc, value, properties);
  }

  span(kind: number, desc: SpanDescriptor): void {
    const i = this.slot();
    this.kind[i] = kind;
    this.ref[i] = desc;
    this.nbProps[i] = 0;
    this.time[i] = performance.now();
    this.length = i + 1;
  }

  asyncSpan(kind: number, desc: SpanDescriptor, spanId: number, parentSpanId: number, depth: number): void {
    const i = this.slot(); // span() below takes the same slot: writing does not advance the buffer
    this.num[i] = spanId;
    this.extra[2 * i] = parentSpanId;
    this.extra[2 * i + 1] = depth;
    this.span(kind, desc);
  }
}
