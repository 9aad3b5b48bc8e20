/** On the sink worker: a slab's columns and strings become a wire block payload. */
import type { BlockEncoder, MetricDescriptor, SpanDescriptor } from '@micromegas/wire';
import {
  ASYNC_BEGIN, ASYNC_END, FLOAT_MEASURE, INT_MEASURE, LOG, LOG_AT, REPEAT, SPAN_BEGIN, SPAN_END,
} from './event-buffer.js';
import { INLINE_TARGET, type Definitions } from './registry.js';
import { H_BYTES, H_EVENTS, H_UNITS, type Slab } from './slab.js';
import type { Timebase } from './clock.js';

/**
 * The slab's strings, in recording order. All-ASCII byte areas (the usual case: as many bytes as
 * UTF-16 units) are copied to the block as they are; otherwise the area is decoded once and each
 * string cut out by its length in units, which also splits a surrogate pair that two adjacent
 * strings formed exactly as they were recorded. A repeat (REPEAT | index) is the earlier string's range.
 */
class SlabStrings {
  private readonly text: string | undefined;
  private k = 0;
  private at = 0;
  /** Where the string just read starts and ends. */
  private start = 0;
  private end = 0;

  constructor(
    private readonly slab: Slab,
    overflow: string | undefined,
    /** Start of each string read so far, for repeats (scratch, as long as the slab's strings). */
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
  ) {
    const h = slab.header;
    this.text = overflow ?? (h[H_BYTES] === h[H_UNITS] ? undefined : slab.bytes.toString('utf8', 0, h[H_BYTES]));
  }

  /** Moves to the next string: sets `start` and `end` (bytes when ASCII, else units of `text`). */
  private next(): void {
    const k = this.k++;
    const length = this.slab.strLen[k]!;
    if (length >= REPEAT) {
      const first = length - REPEAT;
      this.start = this.starts[first]!;
      this.end = this.ends[first]!;
    } else {
      this.start = this.at;
      this.end = this.at += length;
    }
    this.starts[k] = this.start;
    this.ends[k] = this.end;
  }

  string(): string {
    this.next();
    return this.text === undefined ? this.slab.bytes.toString('latin1', this.start, this.end) : this.text.slice(this.start, this.end);
  }

  log(enc: BlockEncoder, ticks: number, level: number, target: string, nbProperties: number): void {
    if (this.text !== undefined) {
      enc.log(ticks, level, target, this.string(), nbProperties);
      return;
    }
    this.next();
    enc.logUtf8(ticks, level, target, this.slab.bytes, this.start, this.end, nbProperties);
  }

  property(enc: BlockEncoder): void {
    if (this.text !== undefined) {
      enc.property(this.string(), this.string());
      return;
    }
    this.next();
    const keyStart = this.start;
    const keyEnd = this.end;
    this.next();
    enc.propertyUtf8(this.slab.bytes, keyStart, keyEnd, this.start, this.end);
  }
}

/** Scratch of `encodeSlab`, reused from block to block. */
export class SealScratch {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  constructor(strings: number) {
    this.starts = new Uint32Array(strings);
    this.ends = new Uint32Array(strings);
  }
}

/** Writes the slab's events into `enc` (already reset for this block). */
export function encodeSlab(slab: Slab, overflow: string | undefined, defs: Definitions, time: Timebase, enc: BlockEncoder, scratch: SealScratch): void {
  const { kind, num, ref, parent, depth, nbProps } = slab;
  const strings = new SlabStrings(slab, overflow, scratch.starts, scratch.ends);
  const n = slab.header[H_EVENTS]!;
  for (let i = 0; i < n; i++) {
    const ticks = kind[i] === LOG_AT ? slab.time[i]! : time.ticks(slab.time[i]!);
    switch (kind[i]) {
      case LOG:
      case LOG_AT: {
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
