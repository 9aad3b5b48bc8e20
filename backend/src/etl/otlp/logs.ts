/**
 * OTLP log records as log_entries rows: time (or observed time), severity number mapped onto our
 * levels, body as msg, scope name as target, attributes as properties plus, when set,
 * otel.severity_text, otel.trace_id, otel.span_id and otel.event_name (micromegas' names).
 */
import type { ExportLogsServiceRequest } from '../../lake/otlp/schema.js';
import { logTimeNs } from '../../lake/otlp/times.js';
import { attributeMap, hex, valueText } from '../../lake/otlp/values.js';
import type { ViewBuilder } from '../view-builder.js';
import type { Offset } from './visit.js';

/** Our levels: 1 fatal, 2 error, 3 warn, 4 info, 5 debug, 6 trace. */
const INFO = 4;

/**
 * OTLP's severity numbers come in ranges of four (TRACE 1–4, DEBUG 5–8, INFO 9–12, WARN 13–16,
 * ERROR 17–20, FATAL 21–24); unspecified (0) or out of range is info, as in micromegas.
 */
export function levelOf(severityNumber: number): number {
  if (!Number.isInteger(severityNumber) || severityNumber < 1 || severityNumber > 24) return INFO;
  return 6 - Math.floor((severityNumber - 1) / 4);
}

export function visitLogs(request: ExportLogsServiceRequest, offset: Offset, builder: ViewBuilder): number {
  let n = 0;
  for (const rl of request.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      const target = sl.scope?.name ?? '';
      for (const record of sl.logRecords) {
        const properties = attributeMap(record.attributes);
        if (record.severityText !== '') properties.set('otel.severity_text', record.severityText);
        if (record.traceId.length > 0) properties.set('otel.trace_id', hex(record.traceId));
        if (record.spanId.length > 0) properties.set('otel.span_id', hex(record.spanId));
        if (record.eventName !== '') properties.set('otel.event_name', record.eventName);
        builder.logAt(offset(logTimeNs(record)), levelOf(record.severityNumber), target, valueText(record.body), properties);
        n++;
      }
    }
  }
  return n;
}
