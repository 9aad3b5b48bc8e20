/**
 * What of a decoded request is accepted, and into which blocks it goes. Items our views could not
 * hold are rejected one by one (OTLP's partial success) and left out of what is stored: spans
 * without valid W3C ids or times, log records with ids of the wrong length or a time out of range,
 * data points without a time, and any element with more than MAX_ATTRIBUTES attributes. The rest is
 * grouped by process (resource): one block per process, holding that process's resources, scopes
 * and accepted items in the request's order, and the time range its rows cover.
 */
import protobuf from 'protobufjs';
import type {
  AggregateDataPoint, ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, KeyValue,
  LogRecord, Metric, NumberDataPoint, Resource, Signal, Span,
} from '../../lake/otlp/schema.js';
import { toBigInt } from '../../lake/otlp/schema.js';
import { isValidTime, logTimeNs } from '../../lake/otlp/times.js';
import { processIdOf } from './identity.js';

/** Attributes one resource, scope, span, event, link, log record or data point may carry. */
export const MAX_ATTRIBUTES = 1024;

export interface AcceptedBlock {
  processId: string;
  resource: KeyValue[];
  /** The Export<Signal>ServiceRequest of this process's accepted items (protobufjs message). */
  request: object;
  items: number;
  beginNs: bigint;
  endNs: bigint;
  /** Log records with no time at all, to stamp with the time the request arrived (once the block id is known). */
  unsetTimes: LogRecord[];
}

export interface Acceptance {
  blocks: AcceptedBlock[];
  rejected: number;
  /** Why, with counts (empty when nothing was rejected). */
  reasons: string;
}

class Rejections {
  count = 0;
  readonly #reasons = new Map<string, number>();

  add(reason: string, n = 1): void {
    if (n === 0) return;
    this.count += n;
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + n);
  }

  text(): string {
    return [...this.#reasons].map(([reason, n]) => `${reason} (${n})`).join('; ');
  }
}

/** Collects one block per process, in the order processes first appear. */
class Blocks {
  readonly #byProcess = new Map<string, AcceptedBlock & { resources: object[] }>();

  add(resource: KeyValue[], resourceMessage: object, items: number, beginNs: bigint, endNs: bigint, unsetTimes: LogRecord[] = []): void {
    const processId = processIdOf(resource);
    let block = this.#byProcess.get(processId);
    if (block === undefined) {
      block = { processId, resource, request: {}, items: 0, beginNs, endNs, unsetTimes: [], resources: [] };
      this.#byProcess.set(processId, block);
    }
    block.resources.push(resourceMessage);
    block.items += items;
    if (beginNs < block.beginNs) block.beginNs = beginNs;
    if (endNs > block.endNs) block.endNs = endNs;
    for (const record of unsetTimes) block.unsetTimes.push(record); // not a spread: there may be a million
  }

  finish(field: string): AcceptedBlock[] {
    return [...this.#byProcess.values()].map(({ resources, ...block }) => ({ ...block, request: { [field]: resources } }));
  }
}

/** Tracks the time range of the accepted items of one resource. */
class Bounds {
  begin = 0n;
  end = 0n;
  items = 0;

  add(beginNs: bigint, endNs = beginNs): void {
    if (this.items === 0 || beginNs < this.begin) this.begin = beginNs;
    if (this.items === 0 || endNs > this.end) this.end = endNs;
    this.items++;
  }
}

const tooManyAttributes = `more than ${MAX_ATTRIBUTES} attributes`;

function isId(bytes: Uint8Array, length: number): boolean {
  return bytes.length === length && bytes.some((b) => b !== 0);
}

/** Why a resource or scope cannot be kept, or undefined. */
function containerProblem(resource: Resource | null | undefined, scope: { attributes: KeyValue[] } | null | undefined): string | undefined {
  if ((resource?.attributes.length ?? 0) > MAX_ATTRIBUTES) return `resource has ${tooManyAttributes}`;
  if ((scope?.attributes.length ?? 0) > MAX_ATTRIBUTES) return `scope has ${tooManyAttributes}`;
  return undefined;
}

function spanProblem(span: Span): string | undefined {
  if (!isId(span.traceId, 16)) return 'trace_id is not 16 bytes (or is all zeros)';
  if (!isId(span.spanId, 8)) return 'span_id is not 8 bytes (or is all zeros)';
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8) return 'parent_span_id is neither empty nor 8 bytes';
  const start = toBigInt(span.startTimeUnixNano);
  const end = toBigInt(span.endTimeUnixNano);
  if (!isValidTime(start) || !isValidTime(end)) return 'start or end time unset or past 2262';
  if (end < start) return 'end time before start time';
  if (span.attributes.length > MAX_ATTRIBUTES) return `span has ${tooManyAttributes}`;
  for (const event of span.events) {
    if (!isValidTime(toBigInt(event.timeUnixNano))) return 'event time unset or past 2262';
    if (event.attributes.length > MAX_ATTRIBUTES) return `event has ${tooManyAttributes}`;
  }
  if (span.links.some((link) => link.attributes.length > MAX_ATTRIBUTES)) return `link has ${tooManyAttributes}`;
  return undefined;
}

function acceptTraces(request: ExportTraceServiceRequest, rejections: Rejections): AcceptedBlock[] {
  const blocks = new Blocks();
  for (const rs of request.resourceSpans) {
    const bounds = new Bounds();
    rs.scopeSpans = rs.scopeSpans.filter((ss) => {
      const problem = containerProblem(rs.resource, ss.scope);
      ss.spans = ss.spans.filter((span) => {
        const reason = problem ?? spanProblem(span);
        if (reason !== undefined) rejections.add(reason);
        else bounds.add(toBigInt(span.startTimeUnixNano), toBigInt(span.endTimeUnixNano));
        return reason === undefined;
      });
      return ss.spans.length > 0;
    });
    if (bounds.items > 0) blocks.add(rs.resource?.attributes ?? [], rs, bounds.items, bounds.begin, bounds.end);
  }
  return blocks.finish('resourceSpans');
}

function logProblem(record: LogRecord): string | undefined {
  if (record.traceId.length !== 0 && record.traceId.length !== 16) return 'trace_id is neither empty nor 16 bytes';
  if (record.spanId.length !== 0 && record.spanId.length !== 8) return 'span_id is neither empty nor 8 bytes';
  const time = logTimeNs(record);
  if (time !== 0n && !isValidTime(time)) return 'time past 2262';
  if (record.attributes.length > MAX_ATTRIBUTES) return `log record has ${tooManyAttributes}`;
  return undefined;
}

function acceptLogs(request: ExportLogsServiceRequest, rejections: Rejections, receivedNs: bigint): AcceptedBlock[] {
  const blocks = new Blocks();
  for (const rl of request.resourceLogs) {
    const bounds = new Bounds();
    const unsetTimes: LogRecord[] = [];
    rl.scopeLogs = rl.scopeLogs.filter((sl) => {
      const problem = containerProblem(rl.resource, sl.scope);
      sl.logRecords = sl.logRecords.filter((record) => {
        const reason = problem ?? logProblem(record);
        if (reason !== undefined) {
          rejections.add(reason);
          return false;
        }
        const time = logTimeNs(record);
        if (time === 0n) unsetTimes.push(record);
        bounds.add(time === 0n ? receivedNs : time);
        return true;
      });
      return sl.logRecords.length > 0;
    });
    if (bounds.items > 0) blocks.add(rl.resource?.attributes ?? [], rl, bounds.items, bounds.begin, bounds.end, unsetTimes);
  }
  return blocks.finish('resourceLogs');
}

/** The data points of a metric, whatever its kind (none when it has no data). */
export function dataPointsOf(metric: Metric): (NumberDataPoint | AggregateDataPoint)[] {
  const data = metric.data === undefined ? undefined : metric[metric.data];
  return data?.dataPoints ?? [];
}

function pointProblem(point: NumberDataPoint | AggregateDataPoint): string | undefined {
  if (!isValidTime(toBigInt(point.timeUnixNano))) return 'time_unix_nano unset or past 2262';
  if (point.attributes.length > MAX_ATTRIBUTES) return `data point has ${tooManyAttributes}`;
  return undefined;
}

function acceptMetrics(request: ExportMetricsServiceRequest, rejections: Rejections): AcceptedBlock[] {
  const blocks = new Blocks();
  for (const rm of request.resourceMetrics) {
    const bounds = new Bounds();
    rm.scopeMetrics = rm.scopeMetrics.filter((sm) => {
      const problem = containerProblem(rm.resource, sm.scope);
      sm.metrics = sm.metrics.filter((metric) => {
        const data = metric.data === undefined ? undefined : metric[metric.data] as { dataPoints: (NumberDataPoint | AggregateDataPoint)[] } | undefined;
        if (data === undefined) return false;
        data.dataPoints = data.dataPoints.filter((point) => {
          const reason = problem ?? pointProblem(point);
          if (reason !== undefined) rejections.add(reason);
          else bounds.add(toBigInt(point.timeUnixNano));
          return reason === undefined;
        });
        return data.dataPoints.length > 0;
      });
      return sm.metrics.length > 0;
    });
    if (bounds.items > 0) blocks.add(rm.resource?.attributes ?? [], rm, bounds.items, bounds.begin, bounds.end);
  }
  return blocks.finish('resourceMetrics');
}

/** Splits a decoded request (mutated: rejected items are removed) into blocks. */
export function accept(signal: Signal, request: object, receivedNs: bigint): Acceptance {
  const rejections = new Rejections();
  const blocks = signal === 'traces' ? acceptTraces(request as ExportTraceServiceRequest, rejections)
    : signal === 'logs' ? acceptLogs(request as ExportLogsServiceRequest, rejections, receivedNs)
      : acceptMetrics(request as ExportMetricsServiceRequest, rejections);
  return { blocks, rejected: rejections.count, reasons: rejections.text() };
}

/** Gives log records without any time the time the request arrived, as an observer would. */
export function stampUnsetTimes(records: readonly LogRecord[], receivedNs: bigint): void {
  const observed = new protobuf.util.Long(Number(receivedNs & 0xffffffffn) | 0, Number(receivedNs >> 32n) | 0, true);
  for (const record of records) record.observedTimeUnixNano = observed;
}
