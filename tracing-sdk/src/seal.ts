/** Off the hot path: turns a buffer's columns into a wire block payload. */
import { BlockEncoder, type MetricDescriptor, type SpanDescriptor } from '@micromegas/wire';
import {
  ASYNC_BEGIN, ASYNC_END, FLOAT_MEASURE, INT_MEASURE, LOG, SPAN_BEGIN, SPAN_END, type EventBuffer,
} from './event-buffer.js';
import type { Timebase } from './clock.js';

export function encodeBuffer(buf: EventBuffer, enc: BlockEncoder, time: Timebase, beginTicks: number): void {
  enc.reset(beginTicks);
  const { kind, num, ref, extra, props, nbProps } = buf;
  let p = 0;
  for (let i = 0; i < buf.length; i++) {
    const ticks = time.ticks(buf.time[i]!);
    const n = nbProps[i]!;
    switch (kind[i]) {
      case LOG:
        enc.log(ticks, num[i]!, ref[i] as string, buf.msg[i]!, n);
        break;
      case INT_MEASURE:
        enc.intMeasure(ticks, ref[i] as MetricDescriptor, num[i]!, n);
        break;
      case FLOAT_MEASURE:
        enc.floatMeasure(ticks, ref[i] as MetricDescriptor, num[i]!, n);
        break;
      case SPAN_BEGIN:
        enc.spanBegin(ticks, ref[i] as SpanDescriptor);
        break;
      case SPAN_END:
        enc.spanEnd(ticks, ref[i] as SpanDescriptor);
        break;
      case ASYNC_BEGIN:
        enc.asyncBegin(ticks, ref[i] as SpanDescriptor, num[i]!, extra[2 * i]!, extra[2 * i + 1]!);
        break;
      case ASYNC_END:
        enc.asyncEnd(ticks, ref[i] as SpanDescriptor, num[i]!, extra[2 * i]!, extra[2 * i + 1]!);
        break;
    }
    for (let k = 0; k < n; k++, p += 2) enc.property(props[p]!, props[p + 1]!);
  }
}
