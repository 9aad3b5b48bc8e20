// Spans in Grafana's trace-view shape: traceID, spanID, parentSpanID, operationName, serviceName,
// serviceTags, startTime and duration in milliseconds. Reads thread_spans / async span columns
// (id, parent, name, target, begin, end, duration in ns), or columns already named the Grafana way.
import { jsonField, numberField, stringField } from '../build.js';
import { findField, frameLength, type Frame } from '../frame.js';
import { millis, numbers, values } from '../rows.js';
import { FormatError } from './errors.js';

const NS_PER_MS = 1e6;

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
  const begin = findField(table, 'startTime', 'begin');
  if (!spanId || !begin) {
    throw new FormatError('traces', 'the result needs span id (id) and start time (begin) columns');
  }
  const parent = findField(table, 'parentSpanID', 'parent_span_id', 'parent');
  const name = findField(table, 'operationName', 'name');
  const traceId = findField(table, 'traceID', 'trace_id', 'stream_id', 'process_id');
  const service = findField(table, 'serviceName', 'exe', 'target');
  const target = findField(table, 'target');
  const durationNs = findField(table, 'duration');
  const end = findField(table, 'end');

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
        Array.from({ length }, (_, i) => (target ? [{ key: 'target', value: String(targets[i] ?? '') }] : [])),
      ),
      numberField('startTime', startMs),
      numberField('duration', durationMs),
      jsonField(
        'tags',
        Array.from({ length }, (_, i) => tagFields.map((f, j) => ({ key: f.name, value: tagValues[j]![i] ?? null }))),
      ),
    ],
    meta: { ...table.meta, preferredVisualisationType: 'trace' },
  };
}
