/** On the sink worker: a slab's columns and strings become a wire block payload. */
import type { BlockEncoder, MetricDescriptor, SpanDescriptor } from '@micromegas/wire';
import {
  ASYNC_BEGIN, ASYNC_END, FLOAT_MEASURE, INT_MEASURE, LOG, SPAN_BEGIN, SPAN_END,
} from './event-buffer.js';
import { INLINE_TARGET, type Definitions } from './registry.js';
import { H_BYTES, H_EVENTS, H_UNITS, type Slab } from './slab.js';
import type { Timebase } from './clock.js';

/**
 * The slab's strings, in recording order. All-ASCII byte areas (the usual case: as many bytes as
 * UTF-16 units) are copied to the block as they are; otherwise the area is decoded once and each
 * string cut out by its length in units, which also splits a surrogate pair that two adjacent
 * strings formed exactly as they were recorded.
 */
class SlabStrings {
  private readonly text: string | undefined;
  private k = 0;
  private at = 0;

  constructor(
    private readonly slab: Slab,
    overflow: string | undefined,
  ) {
    const h = slab.header;
    this.text = overflow ?? (h[H_BYTES] === h[H_UNITS] ? undefined : slab.bytes.toString('utf8', 0, h[H_BYTES]));
  }

  /** Bounds of the next string: bytes when ASCII, else units of `text`. */
  private next(): number {
    const start = this.at;
    this.at += this.slab.strLen[this.k++]!;
    return start;
  }

  string(): string {
    const start = this.next();
    return this.text === undefined ? this.slab.bytes.toString('latin1', start, this.at) : this.text.slice(start, this.at);
  }

  log(enc: BlockEncoder, ticks: number, level: number, target: string, nbProperties: number): void {
    if (this.text !== undefined) {
      enc.log(ticks, level, target, this.string(), nbProperties);
      return;
    }
    const start = this.next();
    enc.logUtf8(ticks, level, target, this.slab.bytes, start, this.at, nbProperties);
  }

  property(enc: BlockEncoder): void {
    if (this.text !== undefined) {
      enc.property(this.string(), this.string());
      return;
    }
    const keyStart = this.next();
    const keyEnd = this.at;
    const valueStart = this.next();
    enc.propertyUtf8(this.slab.bytes, keyStart, keyEnd, valueStart, this.at);
  }
}

/** Writes the slab's events into `enc` (already reset for this block). */
export function encodeSlab(slab: Slab, overflow: string | undefined, defs: Definitions, time: Timebase, enc: BlockEncoder): void {
  const { kind, num, ref, parent, depth, nbProps } = slab;
  const strings = new SlabStrings(slab, overflow);
  const n = slab.header[H_EVENTS]!;
  for (let i = 0; i < n; i++) {
    const ticks = time.ticks(slab.time[i]!);
    switch (kind[i]) {
      case LOG: {
        const id = ref[i]!;
        const target = id === INLINE_TARGET ? strings.string() : defs.targets[id]!;
        strings.log(enc, ticks, num[i]!, target, nbProps[i]!);
        for (let p = nbProps[i]!; p > 0; p--) strings.property(enc);
        break;
      }
      case INT_MEASURE:
      case FLOAT_MEASURE: {
        const desc = defs.metrics[ref[i]!] as MetricDescriptor;
        if (kind[i] === INT_MEASURE) enc.intMeasure(ticks, desc, num[i]!, nbProps[i]!);
        else enc.floatMeasure(ticks, desc, num[i]!, nbProps[i]!);
        for (let p = nbProps[i]!; p > 0; p--) strings.property(enc);
        break;
      }
      case SPAN_BEGIN:
        enc.spanBegin(ticks, defs.spans[ref[i]!] as SpanDescriptor);
        break;
      case SPAN_END:
        enc.spanEnd(ticks, defs.spans[ref[i]!] as SpanDescriptor);
        break;
      case ASYNC_BEGIN:
        enc.asyncBegin(ticks, defs.spans[ref[i]!] as SpanDescriptor, num[i]!, parent[i]!, depth[i]!);
        break;
      case ASYNC_END:
        enc.asyncEnd(ticks, defs.spans[ref[i]!] as SpanDescriptor, num[i]!, parent[i]!, depth[i]!);
        break;
    }
  }
}
