/**
 * An SDK block's events as parse_block() rows. micromegas shows a block's transit objects, each with
 * its type name and its members as JSONB (`__type` among them, keys sorted). Here each event takes the
 * type name of micromegas' event of the same meaning and the members of that event where this wire
 * format has them (docs/micromegas-sql.md lists them), keys sorted the same way.
 */
import { readBlockEvents, type BlockContext, type BlockPayload, type Properties, type SpanDescriptor } from '@micromegas/wire';

export interface BlockObject {
  type_name: string;
  /** The object's members, `__type` included. */
  value: Record<string, unknown>;
}

function object(type: string, members: Record<string, unknown>): BlockObject {
  return { type_name: type, value: sortKeys({ __type: type, ...members }) };
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = value[key];
    sorted[key] = member !== null && typeof member === 'object' ? sortKeys(member as Record<string, unknown>) : member;
  }
  return sorted;
}

const span = (desc: SpanDescriptor) => ({ __type: 'SpanMetadata', name: desc.name, target: desc.target, file: desc.filename, line: desc.line });

/** Calls `emit` per event of the block, in order. Throws WireFormatError for a payload that does not decode. */
export function readBlockObjects(payload: BlockPayload, emit: (object: BlockObject) => void, context: BlockContext): void {
  const withProperties = (type: string, properties: Properties | undefined, members: Record<string, unknown>) =>
    emit(properties === undefined ? object(type, members) : object(`Tagged${type}`, { ...members, properties }));
  readBlockEvents(payload, {
    log: (time, level, target, msg, properties) => emit(properties === undefined
      ? object('LogStringInteropEvent', { time, level, target, msg })
      : object('TaggedLogString', { time, level, target, msg, properties })),
    measure: (time, target, name, unit, value, properties) =>
      withProperties('FloatMetricEvent', properties, { time, value, desc: { __type: 'MetricMetadata', name, unit, target } }),
    spanBegin: (time, desc) => emit(object('BeginThreadSpanEvent', { time, thread_span_desc: span(desc) })),
    spanEnd: (time, desc) => emit(object('EndThreadSpanEvent', { time, thread_span_desc: span(desc) })),
    asyncBegin: (time, span_id, parent_span_id, depth, desc) =>
      emit(object('BeginAsyncSpanEvent', { time, span_id, parent_span_id, depth, span_desc: span(desc) })),
    asyncEnd: (time, span_id, parent_span_id, depth, desc) =>
      emit(object('EndAsyncSpanEvent', { time, span_id, parent_span_id, depth, span_desc: span(desc) })),
  }, context);
}
