/**
 * Shared by the OTLP tests: exporters that remember what the OpenTelemetry SDK handed them (the
 * expected rows are derived from that), the text our views give attribute values, and Arrow rows as
 * plain values.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Vector, type Table } from 'apache-arrow';

export function ns(time: HrTime): string {
  return (BigInt(Math.trunc(time[0])) * 1_000_000_000n + BigInt(Math.trunc(time[1]))).toString();
}

/** How OTLP carries a JavaScript attribute value (OTel's transformer), as our properties show it. */
export function expectedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'string' ? JSON.stringify(v) : expectedText(v))).join(',')}]`;
  return String(value);
}

export function expectedProperties(attributes: Record<string, unknown>, extra: Record<string, string> = {}): { key: string; value: string }[] {
  return sortedProperties([
    ...Object.entries(attributes).map(([key, value]) => ({ key, value: expectedText(value) })),
    ...Object.entries(extra).map(([key, value]) => ({ key, value })),
  ]);
}

export function sortedProperties(list: { key: string; value: string }[]): { key: string; value: string }[] {
  return [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Arrow values (vectors, struct rows, bigints) as plain JSON-like values. */
export function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Vector) return [...value].map(plain);
  const row = value as { toJSON?: () => Record<string, unknown> };
  if (typeof row.toJSON === 'function') return Object.fromEntries(Object.entries(row.toJSON()).map(([k, x]) => [k, plain(x)]));
  return value;
}

export function rows(table: Table): Record<string, unknown>[] {
  return table.toArray().map((row) => plain(row) as Record<string, unknown>);
}

function recorded(result: ExportResult, results: ExportResult[], callback: (r: ExportResult) => void): void {
  results.push(result);
  callback(result);
}

export class RecordingSpanExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    this.inner.export(spans, (r) => recorded(r, this.results, done));
  }
  shutdown(): Promise<void> { return this.inner.shutdown(); }
  forceFlush(): Promise<void> { return this.inner.forceFlush?.() ?? Promise.resolve(); }
}

export class RecordingLogExporter implements LogRecordExporter {
  readonly records: ReadableLogRecord[] = [];
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: LogRecordExporter) {}
  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.records.push(...records);
    this.inner.export(records, (r) => recorded(r, this.results, done));
  }
  shutdown(): Promise<void> { return this.inner.shutdown(); }
  forceFlush(): Promise<void> { return this.inner.forceFlush?.() ?? Promise.resolve(); }
}

export class RecordingMetricExporter implements PushMetricExporter {
  readonly batches: ResourceMetrics[] = [];
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: PushMetricExporter) {}
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.batches.push(metrics);
    this.inner.export(metrics, (r) => recorded(r, this.results, done));
  }
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality { return this.inner.selectAggregationTemporality!(type); }
  shutdown(): Promise<void> { return this.inner.shutdown(); }
  forceFlush(): Promise<void> { return this.inner.forceFlush(); }
}
