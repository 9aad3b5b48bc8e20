/**
 * Builds one self-contained block payload: event records plus the dependency records (strings,
 * span and metric descriptors) they reference, numbered locally in order of first use.
 * See docs/wire-format.md for the layout.
 */
import { ByteWriter } from './bytes.js';
import type { BlockPayload } from './envelope.js';
import { DepKind, EventKind, FORMAT_VERSION, TAG_NEGATIVE, TAG_PROPERTIES } from './format.js';
import { compressSection } from './lz4.js';
import type { MetricDescriptor, SpanDescriptor } from './descriptors.js';

export class BlockEncoder {
  private readonly objects = new ByteWriter(64 * 1024);
  private readonly deps = new ByteWriter(4 * 1024);
  private readonly localIds = new Map<unknown, number>();
  private readonly stringIds = new Map<string, number>();
  private nextId = 0;
  private lastSpan: SpanDescriptor | undefined;
  private lastSpanId = 0;
  private prevTicks = 0;
  private nbObjects = 0;

  constructor(baseTicks = 0) {
    this.reset(baseTicks);
  }

  /** Starts a new block whose tick deltas count from `baseTicks` (an integer, usually its begin_ticks). */
  reset(baseTicks: number): void {
    this.objects.reset();
    this.deps.reset();
    this.localIds.clear();
    this.stringIds.clear();
    this.lastSpan = undefined;
    this.nextId = 0;
    this.nbObjects = 0;
    this.prevTicks = baseTicks;
    this.objects.u8(FORMAT_VERSION);
    this.objects.zigzag(baseTicks);
    this.deps.u8(FORMAT_VERSION);
  }

  get count(): number {
    return this.nbObjects;
  }

  /** Uncompressed bytes so far, to decide when a block is big enough. */
  get byteLength(): number {
    return this.objects.length + this.deps.length;
  }

  private stringRef(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.nextId++;
      this.stringIds.set(s, id);
      this.deps.u8(DepKind.String);
      this.deps.string(s);
    }
    return id;
  }

  private spanRef(desc: SpanDescriptor): number {
    // A span's end usually follows its innermost begin: remembering the last one saves a lookup.
    if (desc === this.lastSpan) return this.lastSpanId;
    const id = this.localIds.get(desc) ?? this.define(desc, DepKind.SpanDesc, [desc.name, desc.target, desc.filename], desc.line);
    this.lastSpan = desc;
    this.lastSpanId = id;
    return id;
  }

  private metricRef(desc: MetricDescriptor): number {
    return this.localIds.get(desc) ?? this.define(desc, DepKind.MetricDesc, [desc.name, desc.unit, desc.target]);
  }

  /** First use of a descriptor in this block: its strings, then its own record. */
  private define(desc: object, kind: number, strings: string[], line?: number): number {
    const stringIds = strings.map((str) => this.stringRef(str));
    const id = this.nextId++;
    this.localIds.set(desc, id);
    this.deps.u8(kind);
    for (const sid of stringIds) this.deps.varint(sid);
    if (line !== undefined) this.deps.varint(line);
    return id;
  }

  private head(tag: number, ticks: number): void {
    this.nbObjects++;
    this.objects.u8(tag);
    this.objects.zigzag(ticks - this.prevTicks);
    this.prevTicks = ticks;
  }

  /** Must be followed by `nbProperties` calls to `property()`. */
  log(ticks: number, level: number, target: string, msg: string, nbProperties = 0): void {
    this.logHead(ticks, level, target, nbProperties);
    this.objects.string(msg);
    this.propertyCount(nbProperties);
  }

  /** As `log`, with the message already UTF-8 encoded in `utf8[start, end)`. */
  logUtf8(ticks: number, level: number, target: string, utf8: Uint8Array, start: number, end: number, nbProperties = 0): void {
    this.logHead(ticks, level, target, nbProperties);
    this.objects.utf8(utf8, start, end);
    this.propertyCount(nbProperties);
  }

  private logHead(ticks: number, level: number, target: string, nbProperties: number): void {
    const targetId = this.stringRef(target);
    this.head(EventKind.Log | (nbProperties > 0 ? TAG_PROPERTIES : 0), ticks);
    this.objects.u8(level);
    this.objects.varint(targetId);
  }

  private propertyCount(nbProperties: number): void {
    if (nbProperties > 0) this.objects.varint(nbProperties);
  }

  /** Safe integers are stored exactly as varints; any other number falls back to a float measure. */
  intMeasure(ticks: number, desc: MetricDescriptor, value: number, nbProperties = 0): void {
    if (!Number.isSafeInteger(value)) {
      this.floatMeasure(ticks, desc, value, nbProperties);
      return;
    }
    const id = this.metricRef(desc);
    const negative = value < 0;
    this.head(EventKind.IntMeasure | (negative ? TAG_NEGATIVE : 0) | (nbProperties > 0 ? TAG_PROPERTIES : 0), ticks);
    this.objects.varint(id);
    this.objects.varint(negative ? -1 - value : value);
    this.propertyCount(nbProperties);
  }

  floatMeasure(ticks: number, desc: MetricDescriptor, value: number, nbProperties = 0): void {
    const id = this.metricRef(desc);
    this.head(EventKind.FloatMeasure | (nbProperties > 0 ? TAG_PROPERTIES : 0), ticks);
    this.objects.varint(id);
    this.objects.f64(value);
    this.propertyCount(nbProperties);
  }

  /** One key/value of the property list announced by the preceding event. */
  property(key: string, value: string): void {
    this.objects.string(key);
    this.objects.string(value);
  }

  /** As `property`, with key and value already UTF-8 encoded in ranges of `utf8`. */
  propertyUtf8(utf8: Uint8Array, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
    this.objects.utf8(utf8, keyStart, keyEnd);
    this.objects.utf8(utf8, valueStart, valueEnd);
  }

  spanBegin(ticks: number, desc: SpanDescriptor): void {
    const id = this.spanRef(desc);
    this.head(EventKind.SpanBegin, ticks);
    this.objects.varint(id);
  }

  spanEnd(ticks: number, desc: SpanDescriptor): void {
    const id = this.spanRef(desc);
    this.head(EventKind.SpanEnd, ticks);
    this.objects.varint(id);
  }

  asyncBegin(ticks: number, desc: SpanDescriptor, spanId: number, parentSpanId: number, depth: number): void {
    this.asyncEvent(EventKind.AsyncBegin, ticks, desc, spanId, parentSpanId, depth);
  }

  asyncEnd(ticks: number, desc: SpanDescriptor, spanId: number, parentSpanId: number, depth: number): void {
    this.asyncEvent(EventKind.AsyncEnd, ticks, desc, spanId, parentSpanId, depth);
  }

  private asyncEvent(kind: number, ticks: number, desc: SpanDescriptor, spanId: number, parentSpanId: number, depth: number): void {
    const id = this.spanRef(desc);
    this.head(kind, ticks);
    this.objects.varint(id);
    this.objects.varint(spanId);
    this.objects.varint(parentSpanId);
    this.objects.varint(depth);
  }

  /** Compresses both sections; the encoder can then be reset for the next block. */
  finish(): BlockPayload {
    return {
      dependencies: compressSection(this.deps.view()),
      objects: compressSection(this.objects.view()),
    };
  }
}
