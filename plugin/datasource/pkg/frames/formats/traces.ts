// Spans in Grafana's trace-view shape: traceID, spanID, parentSpanID, operationName, serviceName,
// serviceTags, startTime and duration in milliseconds. Reads thread_spans / async span columns
// (id, parent, name, target, begin, end, duration in ns), otel_spans columns (trace_id, span_id,
// parent_span_id, start_time, end_time, kind, status, status_message, properties, process_properties,
// events, links: also giving tags, serviceTags, kind, statusCode, statusMessage, logs and references),
// or columns already named the Grafana way.
import { jsonField, numberField, stringField } from '../build.js';
import { findField, frameLength, type Frame, type FrameField } from '../frame.js';
import { millis, numbers, values } from '../rows.js';
import { FormatError } from './errors.js';

const NS_PER_MS = 1e6;
/** OTLP's status codes, which Grafana's statusCode follows (2 marks the span as an error). */
const STATUS_CODES: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };

interface KeyValue {
  key: string;
  value: unknown;
}

/** A list-of-{key, value} column (properties), as rows of tags; absent or null as no tags. */
function keyValues(field: FrameField | undefined, length: number): KeyValue[][] {
  const rows = field ? values(field) : [];
  return Array.from({ length }, (_, i) => (rows[i] as KeyValue[] | null | undefined) ?? []);
}

/** otel_spans' columns beyond the basic shape, as Grafana's optional trace fields. */
function otelFields(table: Frame, length: number): FrameField[] {
  const fields: FrameField[] = [];
  const kind = findField(table, 'kind');
  if (kind) {
    fields.push(stringField('kind', values(kind).map((v) => (v === null || v === undefined ? null : String(v).toLowerCase()))));
  }
  const status = findField(table, 'status');
  if (status) {
    fields.push(numberField('statusCode', values(status).map((v) => STATUS_CODES[String(v)] ?? null)));
  }
  const message = findField(table, 'status_message', 'statusMessage');
  if (message) {
    fields.push(stringField('statusMessage', values(message).map((v) => (v === null || v === undefined ? null : String(v)))));
  }
  const events = findField(table, 'events');
  if (events) {
    type Event = { time: number; name: string; attributes: KeyValue[] };
    const rows = values(events) as Array<Event[] | null>;
    fields.push(jsonField('logs', Array.from({ length }, (_, i) =>
      (rows[i] ?? []).map((e) => ({ timestamp: e.time, name: e.name, fields: e.attributes })))));
  }
  const links = findField(table, 'links');
  if (links) {
    type Link = { trace_id: string; span_id: string; attributes: KeyValue[] };
    const rows = values(links) as Array<Link[] | null>;
    fields.push(jsonField('references', Array.from({ length }, (_, i) =>
      (rows[i] ?? []).map((l) => ({ traceID: l.trace_id, spanID: l.span_id, tags: l.attributes })))));
  }
  return fields;
}

function idString(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  const s = String(v);
  // thread_spans give top-level spans parent 0 (the thread root, which has no row; span ids start at
  // 1), async_events give roots parent_span_id 0, other sources a negative sentinel: Grafana expects no parent.
  return s === '' || s === '0' || s.startsWith('-') ? null : s;
}

export function tracesFrame(table: Frame): Frame {
  const length = frameLength(table);
  const spanId = findField(table, 'spanID', 'span_id', 'id');
  const begin = findField(table, 'startTime', 'begin', 'start_time');
  if (!spanId || !begin) {
    throw new FormatError('traces', 'the result needs span id (id) and start time (begin) columns');
  }
  const parent = findField(table, 'parentSpanID', 'parent_span_id', 'parent');
  const name = findField(table, 'operationName', 'name');
  const traceId = findField(table, 'traceID', 'trace_id', 'stream_id', 'process_id');
  const service = findField(table, 'serviceName', 'exe', 'target');
  const target = findField(table, 'target');
  const durationNs = findField(table, 'duration');
  const end = findField(table, 'end', 'end_time');
  const properties = findField(table, 'properties');
  const processProperties = findField(table, 'process_properties');

  // startTime: timestamps are ns; a numeric startTime column is taken as ms already.
  const startMs = begin.kind === 'time' ? millis(begin) : numbers(begin);
  let durationMs: Float64Array;
  if (durationNs) {
    durationMs = numbers(durationNs).map((ns) => ns / NS_PER_MS);
  } else if (end && end.kind === 'time') {
    durationMs = millis(end).map((ms, i) => ms - startMs[i]!);
  } else {
    throw new FormatError('traces', 'the result needs a duration (ns) or end column');
  }

  const targets = target ? values(target) : [];
  const tagFields = ['filename', 'line', 'depth'].map((n) => findField(table, n)).filter((f) => f !== undefined);
  const tagValues = tagFields.map(values);
  const propertyTags = keyValues(properties, length);
  const processTags = keyValues(processProperties, length);

  return {
    name: table.name,
    refId: table.refId,
    fields: [
      stringField('traceID', traceId ? values(traceId).map((v) => String(v ?? '')) : new Array<string>(length).fill('trace')),
      stringField(
        'spanID',
        values(spanId).map((v) => String(v)),
      ),
      stringField('parentSpanID', parent ? values(parent).map(idString) : new Array<null>(length).fill(null)),
      stringField('operationName', name ? values(name).map((v) => String(v ?? '')) : new Array<string>(length).fill('span')),
      stringField('serviceName', service ? values(service).map((v) => String(v ?? '')) : new Array<string>(length).fill('micromegas')),
      jsonField(
        'serviceTags',
        Array.from({ length }, (_, i) =>
          processProperties ? processTags[i] : target ? [{ key: 'target', value: String(targets[i] ?? '') }] : [],
        ),
      ),
      numberField('startTime', startMs),
      numberField('duration', durationMs),
      jsonField(
        'tags',
        Array.from({ length }, (_, i) => [
          ...tagFields.map((f, j) => ({ key: f.name, value: tagValues[j]![i] ?? null })),
          ...propertyTags[i]!,
        ]),
      ),
      ...otelFields(table, length),
    ],
    meta: { ...table.meta, preferredVisualisationType: 'trace' },
  };
}
