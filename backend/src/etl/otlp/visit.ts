/**
 * Turns a stored OTLP request (lake/otlp/payload.ts) into rows: its items are decoded with the
 * official schema and handed to the view builder's OTLP hooks (`logAt`, `measureAt`, `otelSpan`),
 * each at its exact offset in nanoseconds from the block's base (the block's first event). A
 * payload that does not decode is a WireFormatError, so the materializer skips the block like a
 * malformed SDK block.
 */
import { WireFormatError } from '@micromegas/wire';
import type { OtlpPayload } from '../../lake/otlp/payload.js';
import { signals, type ExportLogsServiceRequest, type ExportMetricsServiceRequest, type ExportTraceServiceRequest } from '../../lake/otlp/schema.js';
import type { BlockCursor } from '../dimensions.js';
import type { ViewBuilder } from '../view-builder.js';
import { visitLogs } from './logs.js';
import { visitMetrics } from './metrics.js';
import { visitTraces, type OtelSpanRow } from './traces.js';

export type { OtelSpanRow };

/** Exact nanoseconds from the block's base to `ns`, as a number (exact within 104 days of it). */
export type Offset = (ns: bigint) => number;

export function visitOtlpPayload(payload: OtlpPayload, cursor: BlockCursor, builder: ViewBuilder, blockId: string): number {
  let request: unknown;
  try {
    request = signals[payload.signal].request.decode(payload.data);
  } catch (err) {
    throw new WireFormatError(`malformed OTLP ${payload.signal} request: ${(err as Error).message}`, 'otlp', undefined, { block_id: blockId });
  }
  const base = cursor.clock.baseNs;
  const offset: Offset = (ns) => Number(ns - base);
  switch (payload.signal) {
    case 'logs': return visitLogs(request as ExportLogsServiceRequest, offset, builder);
    case 'metrics': return visitMetrics(request as ExportMetricsServiceRequest, offset, builder);
    case 'traces': return visitTraces(request as ExportTraceServiceRequest, offset, builder);
  }
}
