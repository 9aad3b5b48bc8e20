/**
 * OTLP spans as otel_spans rows: W3C ids in lowercase hex, kind and status codes, exact start and
 * end, attributes as properties plus otel.scope.name and otel.scope.version (micromegas' names),
 * and events and links as JSON for the view's SQL to type (times as exact integer nanoseconds).
 */
import type { ExportTraceServiceRequest, KeyValue, Span } from '../../lake/otlp/schema.js';
import { toBigInt } from '../../lake/otlp/schema.js';
import { attributeMap, hex } from '../../lake/otlp/values.js';
import type { ViewBuilder } from '../view-builder.js';
import type { Offset } from './visit.js';

export interface OtelSpanRow {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind and Status.StatusCode numbers. */
  kind: number;
  statusCode: number;
  statusMessage: string;
  startOffsetNs: number;
  endOffsetNs: number;
  properties: Map<string, string>;
  /** `[{time, name, attributes: [{key, value}]}]`. */
  eventsJson: string;
  /** `[{trace_id, span_id, trace_state, attributes: [{key, value}]}]`. */
  linksJson: string;
}

function propertiesJson(attributes: readonly KeyValue[]): string {
  return JSON.stringify([...attributeMap(attributes)].map(([key, value]) => ({ key, value })));
}

function eventsJson(span: Span): string {
  if (span.events.length === 0) return '[]';
  const events = span.events.map((e) =>
    `{"time":${toBigInt(e.timeUnixNano)},"name":${JSON.stringify(e.name)},"attributes":${propertiesJson(e.attributes)}}`);
  return `[${events.join(',')}]`;
}

function linksJson(span: Span): string {
  if (span.links.length === 0) return '[]';
  return JSON.stringify(span.links.map((l) => ({
    trace_id: hex(l.traceId), span_id: hex(l.spanId), trace_state: l.traceState, attributes: [...attributeMap(l.attributes)].map(([key, value]) => ({ key, value })),
  })));
}

export function visitTraces(request: ExportTraceServiceRequest, offset: Offset, builder: ViewBuilder): number {
  let n = 0;
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const properties = attributeMap(span.attributes);
        if (ss.scope?.name) properties.set('otel.scope.name', ss.scope.name);
        if (ss.scope?.version) properties.set('otel.scope.version', ss.scope.version);
        builder.otelSpan({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          statusCode: span.status?.code ?? 0,
          statusMessage: span.status?.message ?? '',
          startOffsetNs: offset(toBigInt(span.startTimeUnixNano)),
          endOffsetNs: offset(toBigInt(span.endTimeUnixNano)),
          properties,
          eventsJson: eventsJson(span),
          linksJson: linksJson(span),
        });
        n++;
      }
    }
  }
  return n;
}
