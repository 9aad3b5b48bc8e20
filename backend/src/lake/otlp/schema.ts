/**
 * OTLP's messages, from the official .proto files (backend/proto, vendored from opentelemetry-proto
 * v1.9.0) loaded by protobufjs. Field names are lowerCamelCase, as OTLP/JSON spells them, so one
 * set of types decodes both encodings. 64-bit integers decode as `Long` (see `toBigInt`): times
 * are nanoseconds since the epoch and must stay exact.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoDir = fileURLToPath(new URL('../../../proto/', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports are written from the proto root ("opentelemetry/proto/common/v1/common.proto").
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : `${protoDir}${target}`);
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/logs/v1/logs_service.proto',
    'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
    'google/rpc/status.proto',
  ]);
  root.resolveAll();
  if (!protobuf.util.Long) throw new Error('protobufjs found no "long" package: 64-bit OTLP times would lose precision');
  return root;
}

export const otlpRoot = loadRoot();

const COLLECTOR = 'opentelemetry.proto.collector';

/** What each OTLP/HTTP path carries: its request and response messages. */
export const signals = {
  traces: {
    request: otlpRoot.lookupType(`${COLLECTOR}.trace.v1.ExportTraceServiceRequest`),
    response: otlpRoot.lookupType(`${COLLECTOR}.trace.v1.ExportTraceServiceResponse`),
    rejectedField: 'rejectedSpans',
    items: 'spans',
  },
  logs: {
    request: otlpRoot.lookupType(`${COLLECTOR}.logs.v1.ExportLogsServiceRequest`),
    response: otlpRoot.lookupType(`${COLLECTOR}.logs.v1.ExportLogsServiceResponse`),
    rejectedField: 'rejectedLogRecords',
    items: 'log records',
  },
  metrics: {
    request: otlpRoot.lookupType(`${COLLECTOR}.metrics.v1.ExportMetricsServiceRequest`),
    response: otlpRoot.lookupType(`${COLLECTOR}.metrics.v1.ExportMetricsServiceResponse`),
    rejectedField: 'rejectedDataPoints',
    items: 'data points',
  },
} as const;

export type Signal = keyof typeof signals;

export const statusType = otlpRoot.lookupType('google.rpc.Status');

// ---- The decoded shapes this code reads (protobufjs message instances; absent fields hold defaults) ----

/** A 64-bit integer as protobufjs decodes it. */
export type Int64Value = protobuf.Long | number;

export interface AnyValue {
  /** Which member of the `value` oneof is set, if any. */
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue' | 'stringValueStrindex';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64Value;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  bytesValue?: Uint8Array;
}

export interface KeyValue {
  key: string;
  value?: AnyValue | null;
}

export interface Resource {
  attributes: KeyValue[];
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
}

export interface SpanEvent {
  timeUnixNano: Int64Value;
  name: string;
  attributes: KeyValue[];
}

export interface SpanLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes: KeyValue[];
}

export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Int64Value;
  endTimeUnixNano: Int64Value;
  attributes: KeyValue[];
  events: SpanEvent[];
  links: SpanLink[];
  status?: { code: number; message: string } | null;
}

export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans: Span[];
}

export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans: ScopeSpans[];
}

export interface LogRecord {
  timeUnixNano: Int64Value;
  observedTimeUnixNano: Int64Value;
  severityNumber: number;
  severityText: string;
  body?: AnyValue | null;
  attributes: KeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}

export interface ScopeLogs {
  scope?: InstrumentationScope | null;
  logRecords: LogRecord[];
}

export interface ResourceLogs {
  resource?: Resource | null;
  scopeLogs: ScopeLogs[];
}

export interface NumberDataPoint {
  attributes: KeyValue[];
  timeUnixNano: Int64Value;
  value?: 'asDouble' | 'asInt';
  asDouble?: number;
  asInt?: Int64Value;
  flags: number;
}

/** Histogram, exponential histogram and summary points: what `measures` keeps of them. */
export interface AggregateDataPoint {
  attributes: KeyValue[];
  timeUnixNano: Int64Value;
  count: Int64Value;
  /** proto3 `optional` in histograms (null when absent), plain in summaries. */
  sum?: number | null;
  min?: number | null;
  max?: number | null;
  quantileValues?: { quantile: number; value: number }[];
  flags: number;
}

export interface Metric {
  name: string;
  unit: string;
  data?: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  gauge?: { dataPoints: NumberDataPoint[] };
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  histogram?: { dataPoints: AggregateDataPoint[]; aggregationTemporality: number };
  exponentialHistogram?: { dataPoints: AggregateDataPoint[]; aggregationTemporality: number };
  summary?: { dataPoints: AggregateDataPoint[] };
}

export interface ScopeMetrics {
  scope?: InstrumentationScope | null;
  metrics: Metric[];
}

export interface ResourceMetrics {
  resource?: Resource | null;
  scopeMetrics: ScopeMetrics[];
}

export interface ExportTraceServiceRequest { resourceSpans: ResourceSpans[] }
export interface ExportLogsServiceRequest { resourceLogs: ResourceLogs[] }
export interface ExportMetricsServiceRequest { resourceMetrics: ResourceMetrics[] }

/** An unsigned (fixed64, uint64) or signed (int64) protobuf integer, exactly. */
export function toBigInt(value: Int64Value | null | undefined, signed = false): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return signed ? BigInt.asIntN(64, bits) : bits;
}
