/**
 * The OpenTelemetry JS SDK's own OTLP exporters (protobuf and JSON, for traces, logs and metrics)
 * send to `micromegas start`, and what each exporter was handed comes back over FlightSQL exactly:
 * ids, names, times to the nanosecond, attributes, events, links, severities, values. The protobuf
 * exporters find us through OTEL_EXPORTER_OTLP_ENDPOINT alone; the JSON ones use micromegas'
 * `/ingestion/otlp` endpoint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, SpanStatusCode, trace, ValueType, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, DataPointType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { startCli, type StartedCli } from './cli-process.js';
import {
  expectedProperties, ns, RecordingLogExporter, RecordingMetricExporter, RecordingSpanExporter, rows, sortedProperties,
} from './otlp-fixtures.js';

interface Protocol {
  name: string;
  traces(base: string): SpanExporter;
  logs(base: string): LogRecordExporter;
  metrics(base: string): PushMetricExporter;
}

const PROTOCOLS: Protocol[] = [
  {
    name: 'http/protobuf',
    // As an app is configured: OTEL_EXPORTER_OTLP_ENDPOINT=<ingestion>, the SDK appends /v1/<signal>.
    traces: () => new ProtoTraceExporter(),
    logs: () => new ProtoLogExporter(),
    metrics: () => new ProtoMetricExporter(),
  },
  {
    name: 'http/json',
    traces: (base) => new JsonTraceExporter({ url: `${base}/ingestion/otlp/v1/traces` }),
    logs: (base) => new JsonLogExporter({ url: `${base}/ingestion/otlp/v1/logs` }),
    metrics: (base) => new JsonMetricExporter({ url: `${base}/ingestion/otlp/v1/metrics` }),
  },
];

const KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'];
/** OTLP's AggregationTemporality numbers (the SDK's enum counts from 0). */
const OTLP_TEMPORALITY = { [AggregationTemporality.DELTA]: '1', [AggregationTemporality.CUMULATIVE]: '2' };

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function at(seconds: number, nanos: number): HrTime {
  return [seconds, nanos];
}

/** What the SDK sent for one protocol, and the process it became. */
interface Sent {
  serviceName: string;
  resource: Record<string, unknown>;
  spans: RecordingSpanExporter;
  logs: RecordingLogExporter;
  metrics: RecordingMetricExporter;
  processId?: string;
}

async function record(protocol: Protocol, base: string): Promise<Sent> {
  const serviceName = `otlp-test-${protocol.name.replace('/', '-')}`;
  const resource = resourceFromAttributes({
    'service.name': serviceName, 'service.instance.id': randomUUID(), 'host.name': 'otlp-test-host',
    'process.pid': 4242, 'app.ratio': 0.25, 'app.regions': ['eu', 'us'], 'app.canary': true,
  });
  const sent: Sent = {
    serviceName, resource: resource.attributes,
    spans: new RecordingSpanExporter(protocol.traces(base)),
    logs: new RecordingLogExporter(protocol.logs(base)),
    metrics: new RecordingMetricExporter(protocol.metrics(base)),
  };

  const tracing = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: sent.spans })] });
  const tracer = tracing.getTracer('otlp.test.tracer', '1.2.3');
  const root = tracer.startSpan('GET /orders', {
    kind: SpanKind.SERVER, startTime: at(4_000_000_000, 123_456_789),
    attributes: { 'http.method': 'GET', 'http.status_code': 200, ratio: 0.5, cached: false, tags: ['a', 'b'], big: 2 ** 53 + 2 },
  });
  root.addEvent('cache miss', { key: 'orders:1', size: 3 }, at(4_000_000_000, 223_456_789));
  const inRoot = trace.setSpan(context.active(), root);
  const child = tracer.startSpan('SELECT orders', {
    kind: SpanKind.CLIENT, startTime: at(4_000_000_000, 323_456_789),
    links: [{ context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }, attributes: { reason: 'batch' } }],
  }, inRoot);
  child.recordException(new Error('timeout after 600 ms'), at(4_000_000_000, 923_000_000));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout after 600 ms' });
  child.end(at(4_000_000_000, 923_456_789));
  tracer.startActiveSpan('now', { kind: SpanKind.INTERNAL }, inRoot, (span) => span.end());
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(at(4_000_000_001, 5));
  await tracing.shutdown();

  const logging = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: sent.logs })] });
  const logger = logging.getLogger('otlp.test.logger', '2.0.0');
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order 1 shipped', attributes: { 'order.id': 1, express: true }, timestamp: at(4_000_000_000, 5) });
  logger.emit({ severityNumber: SeverityNumber.ERROR2, severityText: 'ERROR', body: { code: 7, detail: ['x', 'y'] }, timestamp: at(4_000_000_000, 500_000_001), context: inRoot });
  logger.emit({ severityNumber: SeverityNumber.FATAL4, body: 'crash', eventName: 'app.crash', timestamp: at(4_000_000_002, 0) });
  logger.emit({ severityNumber: SeverityNumber.TRACE, body: 'now' });
  logger.emit({ body: 'no severity', timestamp: at(4_000_000_000, 7) });
  await logging.shutdown();

  const reader = new PeriodicExportingMetricReader({ exporter: sent.metrics, exportIntervalMillis: 3_600_000 });
  const metering = new MeterProvider({ resource, readers: [reader] });
  const meter = metering.getMeter('otlp.test.meter', '3.0.0');
  const requests = meter.createCounter('http.requests', { unit: '{request}', valueType: ValueType.INT });
  requests.add(3, { route: '/a' });
  requests.add(4, { route: '/b' });
  const latency = meter.createHistogram('http.latency', { unit: 'ms' });
  latency.record(1.5, { route: '/a' });
  latency.record(4.25, { route: '/a' });
  meter.createObservableGauge('cpu.temperature', { unit: 'Cel' }).addCallback((r) => r.observe(61.5, { core: 0 }));
  const queue = meter.createUpDownCounter('queue.depth', { valueType: ValueType.INT });
  queue.add(5);
  queue.add(-2);
  await metering.shutdown();
  return sent;
}

let dataDir: string;
let cli: StartedCli;
let client: FlightSQLClient;
const sent = new Map<string, Sent>();

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mm-otlp-'));
  cli = await startCli(dataDir, [], { MICROMEGAS_SELF_TELEMETRY_URL: 'off' });
  const base = cli.address('ingestion');
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = base;
  for (const protocol of PROTOCOLS) sent.set(protocol.name, await record(protocol, base));
  client = new FlightSQLClient({ url: cli.address('flightsql') });
});

after(async () => {
  client?.close();
  await cli?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return rows(await client.query(sql));
}

for (const protocol of PROTOCOLS) {
  describe(`OTel SDK exporters over OTLP ${protocol.name} → micromegas start`, () => {
    const s = () => sent.get(protocol.name)!;

    it('got success for every export', () => {
      const results = [...s().spans.results, ...s().logs.results, ...s().metrics.results];
      assert.ok(results.length >= 3);
      assert.deepEqual(results.map((r) => [r.code, r.error?.message]), results.map(() => [ExportResultCode.SUCCESS, undefined]));
    });

    it('maps the resource onto one process with its attributes, and one stream per signal', async () => {
      const processes = await query(`SELECT process_id, exe, computer, tsc_frequency, properties FROM processes WHERE exe = '${s().serviceName}'`);
      assert.equal(processes.length, 1);
      const [p] = processes;
      assert.equal(p!.computer, 'otlp-test-host');
      assert.equal(p!.tsc_frequency, '1000000000');
      assert.deepEqual(sortedProperties(p!.properties as { key: string; value: string }[]), expectedProperties(s().resource));
      s().processId = p!.process_id as string;
      const streams = await query(`SELECT tags, property_get(properties, 'format') AS format FROM streams WHERE process_id = '${p!.process_id}' ORDER BY format`);
      assert.deepEqual(streams, [
        { tags: ['log'], format: 'otlp/v1/logs' }, { tags: ['metrics'], format: 'otlp/v1/metrics' }, { tags: ['trace'], format: 'otlp/v1/traces' },
      ]);
    });

    it('returns every span in otel_spans exactly', async () => {
      const actual = await query(`
        SELECT trace_id, span_id, parent_span_id, epoch_ns(start_time)::VARCHAR AS start_ns, epoch_ns(end_time)::VARCHAR AS end_ns,
               duration, name, kind, status, status_message, exe, properties,
               list_transform(events, e -> {'time_ns': epoch_ns(e.time)::VARCHAR, 'name': e.name, 'attributes': e.attributes}) AS events, links
        FROM otel_spans WHERE exe = '${s().serviceName}' ORDER BY start_time, span_id`);
      const byStart = (a: ReadableSpan, b: ReadableSpan) => (BigInt(ns(a.startTime)) < BigInt(ns(b.startTime)) ? -1 : 1);
      const expected = [...s().spans.spans].sort(byStart).map((span) => ({
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
        parent_span_id: span.parentSpanContext?.spanId ?? null,
        start_ns: ns(span.startTime),
        end_ns: ns(span.endTime),
        duration: (BigInt(ns(span.endTime)) - BigInt(ns(span.startTime))).toString(),
        name: span.name,
        kind: KIND_NAMES[span.kind],
        status: STATUS_NAMES[span.status.code],
        status_message: span.status.message ?? null,
        exe: s().serviceName,
        properties: expectedProperties(span.attributes, { 'otel.scope.name': 'otlp.test.tracer', 'otel.scope.version': '1.2.3' }),
        events: span.events.map((e) => ({ time_ns: ns(e.time), name: e.name, attributes: expectedProperties(e.attributes ?? {}) })),
        links: span.links.map((l) => ({ trace_id: l.context.traceId, span_id: l.context.spanId, trace_state: '', attributes: expectedProperties(l.attributes ?? {}) })),
      }));
      const sortProps = (r: Record<string, unknown>) => ({
        ...r,
        properties: sortedProperties(r.properties as { key: string; value: string }[]),
        events: (r.events as { attributes: { key: string; value: string }[] }[]).map((e) => ({ ...e, attributes: sortedProperties(e.attributes) })),
        links: (r.links as { attributes: { key: string; value: string }[] }[]).map((l) => ({ ...l, attributes: sortedProperties(l.attributes) })),
      });
      assert.deepEqual(actual.map(sortProps), expected);
      // The values as written, not only as derived from what the SDK was handed.
      const root = actual.find((r) => r.name === 'GET /orders')!;
      assert.equal(root.start_ns, '4000000000123456789');
      assert.equal(root.end_ns, '4000000001000000005');
      assert.equal(root.duration, '876543216');
      assert.equal(root.kind, 'SERVER');
      assert.equal(root.status, 'OK');
      assert.equal(root.parent_span_id, null);
      assert.ok((root.properties as { key: string; value: string }[]).some((p) => p.key === 'big' && p.value === '9007199254740994'));
      const child = actual.find((r) => r.name === 'SELECT orders')!;
      assert.deepEqual([child.parent_span_id, child.trace_id, child.status, child.status_message], [root.span_id, root.trace_id, 'ERROR', 'timeout after 600 ms']);
      assert.match(child.span_id as string, /^[0-9a-f]{16}$/);
      assert.match(child.trace_id as string, /^[0-9a-f]{32}$/);
    });

    it('answers the same per process and by trace id', async () => {
      const all = await query(`SELECT span_id FROM otel_spans WHERE exe = '${s().serviceName}' ORDER BY span_id`);
      const instance = await query(`SELECT span_id FROM view_instance('otel_spans', '${s().processId}') ORDER BY span_id`);
      assert.deepEqual(instance, all);
      const traceId = s().spans.spans[0]!.spanContext().traceId;
      const byTrace = await query(`SELECT count(*)::INT AS n FROM otel_spans WHERE trace_id = '${traceId}'`);
      assert.deepEqual(byTrace, [{ n: 3 }]);
    });

    it('returns every log record in log_entries exactly', async () => {
      const actual = await query(`
        SELECT epoch_ns(time)::VARCHAR AS time_ns, level, target, msg, properties, exe
        FROM log_entries WHERE process_id = '${s().processId}' ORDER BY time, msg`);
      const levelOf = (n: number | undefined) => (n === undefined ? 4 : 6 - Math.floor((n - 1) / 4));
      const expected = s().logs.records.map((r) => ({
        time_ns: ns(r.hrTime),
        level: levelOf(r.severityNumber),
        target: 'otlp.test.logger',
        msg: typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
        properties: expectedProperties(r.attributes, {
          ...(r.severityText ? { 'otel.severity_text': r.severityText } : {}),
          ...(r.spanContext ? { 'otel.trace_id': r.spanContext.traceId, 'otel.span_id': r.spanContext.spanId } : {}),
          ...(r.eventName ? { 'otel.event_name': r.eventName } : {}),
        }),
        exe: s().serviceName,
      })).sort((a, b) => (BigInt(a.time_ns) < BigInt(b.time_ns) ? -1 : BigInt(a.time_ns) > BigInt(b.time_ns) ? 1 : a.msg < b.msg ? -1 : 1));
      assert.deepEqual(actual.map((r) => ({ ...r, properties: sortedProperties(r.properties as { key: string; value: string }[]) })), expected);
      assert.deepEqual(actual.map((r) => [r.level, r.msg]), [
        [6, 'now'], [4, 'order 1 shipped'], [4, 'no severity'], [2, '{"code":7,"detail":["x","y"]}'], [1, 'crash'],
      ]);
      const error = actual[3]!.properties as { key: string; value: string }[];
      assert.deepEqual(error.find((p) => p.key === 'otel.trace_id')?.value, s().spans.spans[0]!.spanContext().traceId);
    });

    it('returns every data point in measures exactly', async () => {
      const actual = await query(`
        SELECT epoch_ns(time)::VARCHAR AS time_ns, target, name, unit, value, properties
        FROM measures WHERE process_id = '${s().processId}' ORDER BY name, time, value`);
      const expected: Record<string, unknown>[] = [];
      for (const batch of s().metrics.batches) {
        for (const scope of batch.scopeMetrics) {
          for (const metric of scope.metrics) {
            const { name, unit } = metric.descriptor;
            for (const point of metric.dataPoints) {
              const row = (rowName: string, rowUnit: string, value: number, kind: Record<string, string>) => expected.push({
                time_ns: ns(point.endTime), target: scope.scope.name, name: rowName, unit: rowUnit, value,
                properties: expectedProperties(point.attributes, kind),
              });
              if (metric.dataPointType === DataPointType.HISTOGRAM) {
                const h = point.value as { count: number; sum?: number; min?: number; max?: number };
                const kind = { 'otel.metric.kind': 'histogram', 'otel.metric.aggregation_temporality': OTLP_TEMPORALITY[metric.aggregationTemporality] };
                row(`${name}_count`, '', h.count, kind);
                row(`${name}_sum`, unit, h.sum!, kind);
                row(`${name}_min`, unit, h.min!, kind);
                row(`${name}_max`, unit, h.max!, kind);
              } else if (metric.dataPointType === DataPointType.SUM) {
                row(name, unit, point.value as number, {
                  'otel.metric.kind': 'sum', 'otel.metric.aggregation_temporality': OTLP_TEMPORALITY[metric.aggregationTemporality],
                  'otel.metric.is_monotonic': String(metric.isMonotonic),
                });
              } else {
                row(name, unit, point.value as number, { 'otel.metric.kind': 'gauge' });
              }
            }
          }
        }
      }
      const cmp = (a: Record<string, unknown>, b: Record<string, unknown>) =>
        byText(a.name as string, b.name as string) || Number(BigInt(a.time_ns as string) - BigInt(b.time_ns as string)) || (a.value as number) - (b.value as number);
      expected.sort(cmp);
      assert.deepEqual(actual.map((r) => ({ ...r, properties: sortedProperties(r.properties as { key: string; value: string }[]) })), expected);
      assert.deepEqual(actual.map((r) => [r.name, r.value]), [
        ['cpu.temperature', 61.5],
        ['http.latency_count', 2], ['http.latency_max', 4.25], ['http.latency_min', 1.5], ['http.latency_sum', 5.75],
        ['http.requests', 3], ['http.requests', 4],
        ['queue.depth', 3],
      ]);
    });
  });
}

describe('the example queries of docs/otlp.md', () => {
  it('find a trace, its logs, the slowest server spans and the exceptions of failed spans', async () => {
    const traceId = sent.get('http/protobuf')!.spans.spans[0]!.spanContext().traceId;
    const trace = await query(`SELECT name, kind, status, duration, span_id, parent_span_id
      FROM otel_spans WHERE trace_id = '${traceId}' ORDER BY start_time`);
    assert.deepEqual(trace.map((r) => [r.name, r.kind, r.status]), [['now', 'INTERNAL', 'UNSET'], ['GET /orders', 'SERVER', 'OK'], ['SELECT orders', 'CLIENT', 'ERROR']]);
    const logs = await query(`SELECT msg FROM log_entries WHERE property_get(properties, 'otel.trace_id') = '${traceId}'`);
    assert.deepEqual(logs, [{ msg: '{"code":7,"detail":["x","y"]}' }]);
    const slowest = await query(`SELECT name, avg(duration) / 1e6 AS avg_ms, count(*) AS calls
      FROM otel_spans WHERE kind = 'SERVER' GROUP BY name ORDER BY avg_ms DESC LIMIT 10`);
    assert.deepEqual(slowest, [{ name: 'GET /orders', avg_ms: 876.543216, calls: '2' }]);
    const exceptions = await query(`SELECT e.name, epoch_ns(e.time)::VARCHAR AS time_ns, property_get(e.attributes, 'exception.message') AS message
      FROM (SELECT unnest(events) AS e FROM otel_spans WHERE status = 'ERROR')`);
    assert.deepEqual(exceptions, PROTOCOLS.map(() => ({ name: 'exception', time_ns: '4000000000923000000', message: 'timeout after 600 ms' })));
  });
});
