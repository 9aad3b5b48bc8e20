/**
 * Events as plain objects: a convenience over the visitor for tests and tools. Bulk readers
 * (the lakehouse ETL) should implement EventVisitor instead and skip these allocations.
 */
import type { BlockContext } from './errors.js';
import type { BlockPayload, Properties } from './envelope.js';
import type { SpanDescriptor } from './descriptors.js';
import { readBlockEvents } from './decoder.js';

export type WireEvent =
  | { kind: 'log'; ticks: number; level: number; target: string; msg: string; properties?: Properties }
  | { kind: 'measure'; ticks: number; target: string; name: string; unit: string; value: number; properties?: Properties }
  | { kind: 'spanBegin' | 'spanEnd'; ticks: number; desc: SpanDescriptor }
  | { kind: 'asyncBegin' | 'asyncEnd'; ticks: number; spanId: number; parentSpanId: number; depth: number; desc: SpanDescriptor };

function withProps<T extends object>(event: T, properties: Properties | undefined): T & { properties?: Properties } {
  return properties === undefined ? event : { ...event, properties };
}

export function decodeBlockEvents(payload: BlockPayload, context: BlockContext = {}): WireEvent[] {
  const out: WireEvent[] = [];
  readBlockEvents(
    payload,
    {
      log: (ticks, level, target, msg, properties) =>
        out.push(withProps({ kind: 'log' as const, ticks, level, target, msg }, properties)),
      measure: (ticks, target, name, unit, value, properties) =>
        out.push(withProps({ kind: 'measure' as const, ticks, target, name, unit, value }, properties)),
      spanBegin: (ticks, desc) => out.push({ kind: 'spanBegin', ticks, desc }),
      spanEnd: (ticks, desc) => out.push({ kind: 'spanEnd', ticks, desc }),
      asyncBegin: (ticks, spanId, parentSpanId, depth, desc) =>
        out.push({ kind: 'asyncBegin', ticks, spanId, parentSpanId, depth, desc }),
      asyncEnd: (ticks, spanId, parentSpanId, depth, desc) =>
        out.push({ kind: 'asyncEnd', ticks, spanId, parentSpanId, depth, desc }),
    },
    context,
  );
  return out;
}
