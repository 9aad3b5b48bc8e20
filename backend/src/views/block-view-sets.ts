/**
 * View sets materialized from block payloads: which streams feed them, how their instances select
 * blocks, which ETL builder turns events into columns, and the SQL that shapes the staged columns
 * into the view's rows (column names and order as in ./schemas).
 */
import type { Dimensions, ProcessEntry } from '../etl/dimensions.js';
import type { ViewBuilder } from '../etl/view-builder.js';
import { LogEntriesBuilder } from '../etl/log-entries.js';
import { MeasuresBuilder } from '../etl/measures.js';
import { ThreadSpansBuilder, type CarriedSpan } from '../etl/thread-spans.js';
import { AsyncEventsBuilder, ASYNC_BEGIN } from '../etl/async-events.js';
import { OtelSpansBuilder } from '../etl/otel-spans.js';
import type { ViewSetInfo } from './catalog.js';
import { asyncEventsSchema, logEntriesSchema, measuresSchema, otelSpansSchema, threadSpansSchema } from './schemas.js';

export interface BuilderContext {
  dims: Dimensions;
  /** For stream instances: the stream's process (added to dims) and id. */
  process: ProcessEntry | undefined;
  streamId: string | undefined;
  /** What the previous partition of the instance carried out (chained sets only). */
  carried: unknown;
}

export interface BlockViewSet {
  info: ViewSetInfo;
  /** Streams whose blocks feed the view. */
  streamTag: string;
  /**
   * Partitions depend on the previous one of the same instance (its `carry`), so an instance's
   * partitions are built in insert order from its first block.
   */
  chained: boolean;
  createBuilder(context: BuilderContext): ViewBuilder & { carryOut?(): unknown };
  /** SELECT over the staged tables giving the view's rows. */
  select: string;
}

const PROPERTIES_JSON = `'[{"key":"VARCHAR","value":"VARCHAR"}]'`;

/** Process, stream and block columns every per-event view starts with (facts aliased `f`). */
const LEADING = `p.process_id, b.stream_id, b.block_id, make_timestamp_ns(b.insert_time_us * 1000) AS insert_time,
  p.exe, p.username, p.computer, make_timestamp_ns(b.base_ns + f.time_off::BIGINT) AS time, t.s AS target`;
const LEADING_JOINS = `JOIN mm_blocks b ON b.idx = f.block
  JOIN procs p ON p.idx = b.process
  JOIN mm_strings t ON t.idx = f.target
  JOIN props ps ON ps.idx = f.props`;
// A process's properties stay the JSON text they were staged as (see `jsonColumns` in ./catalog.ts).
const PROPERTY_CTES = `WITH props AS (SELECT idx, from_json(json, ${PROPERTIES_JSON}) AS properties FROM mm_property_sets),
  procs AS (SELECT *, properties AS process_properties FROM mm_processes)`;
/** The columns of the per-event views stored as JSON text. */
const JSON_COLUMNS = ['process_properties'];

const PROPERTIES = `[{"key":"VARCHAR","value":"VARCHAR"}]`;
/** OTLP SpanKind and Status.StatusCode names, as micromegas writes them; an unknown number stays a number. */
const SPAN_KIND = `CASE f.kind WHEN 0 THEN 'UNSPECIFIED' WHEN 1 THEN 'INTERNAL' WHEN 2 THEN 'SERVER' WHEN 3 THEN 'CLIENT'
  WHEN 4 THEN 'PRODUCER' WHEN 5 THEN 'CONSUMER' ELSE f.kind::VARCHAR END`;
const SPAN_STATUS = `CASE f.status WHEN 0 THEN 'UNSET' WHEN 1 THEN 'OK' WHEN 2 THEN 'ERROR' ELSE f.status::VARCHAR END`;

function carriedSpans(carried: unknown): CarriedSpan[] {
  return Array.isArray(carried) ? (carried as CarriedSpan[]) : [];
}

export const blockViewSets: readonly BlockViewSet[] = [
  {
    info: { name: 'log_entries', schema: logEntriesSchema, hasGlobal: true, instanceKind: 'process_id', timeColumn: 'time', jsonColumns: JSON_COLUMNS },
    streamTag: 'log',
    chained: false,
    createBuilder: ({ dims }) => new LogEntriesBuilder(dims),
    select: `${PROPERTY_CTES}
      SELECT ${LEADING}, f.level, f.msg, ps.properties, p.process_properties
      FROM mm_log_facts f ${LEADING_JOINS}`,
  },
  {
    info: { name: 'measures', schema: measuresSchema, hasGlobal: true, instanceKind: 'process_id', timeColumn: 'time', jsonColumns: JSON_COLUMNS },
    streamTag: 'metrics',
    chained: false,
    createBuilder: ({ dims }) => new MeasuresBuilder(dims),
    select: `${PROPERTY_CTES}
      SELECT ${LEADING}, n.s AS name, u.s AS unit, f.value, ps.properties, p.process_properties
      FROM mm_measure_facts f ${LEADING_JOINS}
      JOIN mm_strings n ON n.idx = f.name
      JOIN mm_strings u ON u.idx = f.unit`,
  },
  {
    info: { name: 'thread_spans', schema: threadSpansSchema, hasGlobal: false, instanceKind: 'stream_id', timeColumn: 'begin' },
    streamTag: 'cpu',
    chained: true,
    createBuilder: ({ dims, process, streamId, carried }) => {
      if (process === undefined || streamId === undefined) throw new Error('thread_spans is built per stream');
      return new ThreadSpansBuilder(dims, process, streamId, carriedSpans(carried));
    },
    select: `SELECT f.id::BIGINT AS id, f.parent::BIGINT AS parent, f.depth, d.hash,
        /* depth 1 = top-level span (etl/thread-spans.ts); part of the schema hash, so 0-based partitions rebuild */
        make_timestamp_ns(bb.base_ns + f.begin_off::BIGINT) AS "begin",
        make_timestamp_ns(be.base_ns + f.end_off::BIGINT) AS "end",
        (be.base_ns + f.end_off::BIGINT) - (bb.base_ns + f.begin_off::BIGINT) AS duration,
        d.name, d.target, d.filename, d.line
      FROM mm_span_facts f
      JOIN mm_blocks bb ON bb.idx = f.begin_block
      JOIN mm_blocks be ON be.idx = f.end_block
      JOIN mm_span_descs d ON d.idx = f.desc`,
  },
  {
    info: { name: 'otel_spans', schema: otelSpansSchema, hasGlobal: true, instanceKind: 'process_id', timeColumn: 'start_time', jsonColumns: JSON_COLUMNS },
    streamTag: 'trace',
    chained: false,
    createBuilder: ({ dims }) => new OtelSpansBuilder(dims),
    select: `${PROPERTY_CTES}
      SELECT p.process_id, b.stream_id, b.block_id, make_timestamp_ns(b.insert_time_us * 1000) AS insert_time,
        p.exe, p.username, p.computer, p.process_properties,
        f.trace_id, f.span_id, NULLIF(f.parent_span_id, '') AS parent_span_id,
        make_timestamp_ns(b.base_ns + f.start_off::BIGINT) AS start_time,
        make_timestamp_ns(b.base_ns + f.end_off::BIGINT) AS end_time,
        f.end_off::BIGINT - f.start_off::BIGINT AS duration,
        n.s AS name, ${SPAN_KIND} AS kind, ${SPAN_STATUS} AS status, NULLIF(f.status_message, '') AS status_message,
        ps.properties,
        list_transform(from_json(f.events, '[{"time":"BIGINT","name":"VARCHAR","attributes":${PROPERTIES}}]'),
          e -> {'time': make_timestamp_ns(e.time), 'name': e.name, 'attributes': e.attributes}) AS events,
        from_json(f.links, '[{"trace_id":"VARCHAR","span_id":"VARCHAR","trace_state":"VARCHAR","attributes":${PROPERTIES}}]') AS links
      FROM mm_otel_span_facts f
      JOIN mm_blocks b ON b.idx = f.block
      JOIN procs p ON p.idx = b.process
      JOIN mm_strings n ON n.idx = f.name
      JOIN props ps ON ps.idx = f.props`,
  },
  {
    info: { name: 'async_events', schema: asyncEventsSchema, hasGlobal: false, instanceKind: 'process_id', timeColumn: 'time' },
    streamTag: 'cpu',
    chained: false,
    createBuilder: ({ dims }) => new AsyncEventsBuilder(dims),
    select: `SELECT b.stream_id, b.block_id, make_timestamp_ns(b.base_ns + f.time_off::BIGINT) AS time,
        CASE f.event_type WHEN ${ASYNC_BEGIN} THEN 'begin' ELSE 'end' END AS event_type,
        f.span_id::BIGINT AS span_id, f.parent_span_id::BIGINT AS parent_span_id, f.depth, d.hash,
        d.name, d.filename, d.target, d.line
      FROM mm_async_facts f
      JOIN mm_blocks b ON b.idx = f.block
      JOIN mm_span_descs d ON d.idx = f.desc`,
  },
];
