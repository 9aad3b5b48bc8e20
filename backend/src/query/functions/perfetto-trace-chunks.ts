/**
 * `perfetto_trace_chunks(process_id, span_types, begin, end)`, named and shaped as micromegas':
 * rows (chunk_id INTEGER, chunk_data BLOB) whose data, concatenated by chunk_id, is a Perfetto trace
 * of the process over [begin, end). The trace is read from the views (processes, streams,
 * thread_spans, async_events) on the query's own connection and written into a temporary table of
 * that connection, which the query then scans: the trace stays within DuckDB's memory limit (and
 * spills with it), and the connection's end drops it. Chunks wait in memory while a view's rows
 * stream (appending to the connection would end its open result), so at most one thread's spans,
 * or the async spans, are held at a time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PerfettoWriter } from '../../perfetto/trace-writer.js';
import {
  SPAN_TYPES, writeProcessTrace, type AsyncSpan, type SpanTypes, type ThreadSpan, type TraceProcess, type TraceSource, type TraceThread,
} from '../../perfetto/process-trace.js';
import { QueryError } from '../engine.js';
import { resultChunks } from '../result-chunks.js';
import type { SourceContext } from '../rewrite/context.js';
import { viewScan } from '../rewrite/view-scan.js';
import { printStatements } from '../sql/parser.js';
import { quoteIdent, quoteString, relationSql } from '../sql/text.js';
import type { ArgValue } from './table-functions.js';

const COLUMNS = [{ name: 'chunk_id', sqlType: 'INTEGER' }, { name: 'chunk_data', sqlType: 'BLOB' }];
const NAME = 'perfetto_trace_chunks';

let tables = 0;

export async function perfettoTraceChunks([processArg, typesArg, beginArg, endArg]: ArgValue[], context: SourceContext): Promise<string> {
  const processId = String(processArg);
  const spanTypes = String(typesArg) as SpanTypes;
  const [begin, end] = [beginArg as Date, endArg as Date];
  if (!SPAN_TYPES.includes(spanTypes)) {
    throw new QueryError('invalid_argument', `${NAME}: span_types must be 'thread', 'async' or 'both', got '${spanTypes}'`);
  }
  if (!(begin < end)) throw new QueryError('invalid_argument', `${NAME}: begin (${begin.toISOString()}) must be before end (${end.toISOString()})`);
  if (context.planOnly) return relationSql(COLUMNS, []);

  const name = `mm_perfetto_${++tables}`;
  const { connection } = context;
  await connection.run(`CREATE TEMP TABLE ${quoteIdent(name)} (chunk_id INTEGER NOT NULL, chunk_data BLOB NOT NULL)`);
  const appender = await connection.createAppender(name, 'main', 'temp');
  const pending: Uint8Array[] = [];
  let chunkId = 0;
  const append = () => {
    for (const chunk of pending.splice(0)) {
      appender.appendInteger(chunkId++);
      appender.appendBlob(chunk);
      appender.endRow();
    }
    appender.flushSync();
  };
  try {
    const lake = new LakeTraceSource(context, processId, begin, end, append);
    const process = await lake.process();
    if (process === undefined) throw new QueryError('not_found', `${NAME}: process ${processId} not found`);
    await writeProcessTrace(new PerfettoWriter((chunk) => pending.push(chunk)), process, lake, spanTypes);
    append();
  } finally {
    appender.closeSync();
  }
  return `SELECT chunk_id, chunk_data FROM temp.main.${quoteIdent(name)} ORDER BY chunk_id`;
}

/** The process's spans as the views have them, for the time range. */
class LakeTraceSource implements TraceSource {
  readonly #context: SourceContext;
  readonly #metadata: SourceContext;
  readonly #id: string;

  /** `idle` runs after each streamed result, when the connection may be written to. */
  constructor(context: SourceContext, readonly processId: string, readonly begin: Date, readonly end: Date, private readonly idle: () => void) {
    this.#context = { ...context, range: { begin, end } };
    // A process and its streams were inserted when they started, long before the range maybe.
    this.#metadata = { ...context, range: { end } };
    this.#id = quoteString(processId);
  }

  async process(): Promise<TraceProcess | undefined> {
    const scan = await this.#scan(this.#metadata, 'processes', 'global');
    const [row] = await this.#rows(`SELECT exe, epoch_ns(start_time) AS start_ns, CAST(to_json(map_from_entries(properties)) AS VARCHAR) AS props
      FROM (${scan}) WHERE process_id = ${this.#id} LIMIT 1`);
    if (row === undefined) return undefined;
    return { processId: this.processId, exe: String(row[0]), startTimeNs: row[1] as bigint, properties: JSON.parse(String(row[2] ?? '{}')) as Record<string, string> };
  }

  async threads(): Promise<TraceThread[]> {
    const scan = await this.#scan(this.#metadata, 'streams', 'global');
    const rows = await this.#rows(`SELECT stream_id, property_get(properties, 'thread-id'), property_get(properties, 'thread-name')
      FROM (${scan}) WHERE process_id = ${this.#id} AND list_contains(tags, 'cpu') ORDER BY insert_time, stream_id`);
    return rows.map(([streamId, threadId, threadName]) => ({
      streamId: String(streamId),
      ...(threadId === null ? {} : { threadId: String(threadId) }),
      ...(threadName === null ? {} : { threadName: String(threadName) }),
    }));
  }

  async *threadSpans(streamId: string): AsyncIterable<ThreadSpan> {
    const scan = await this.#scan(this.#context, 'thread_spans', streamId);
    for await (const [id, parent, beginNs, endNs, name, target, filename, line] of this.#stream(
      `SELECT id, parent, epoch_ns(begin), epoch_ns("end"), name, target, filename, line FROM (${scan}) ORDER BY id`)) {
      yield { id: id as bigint, parent: parent as bigint, beginNs: beginNs as bigint, endNs: endNs as bigint, ...slice(name, target, filename, line) };
    }
  }

  /** Begin and end events joined; a span cut by the range is drawn from its begin or to its end. */
  async *asyncSpans(): AsyncIterable<AsyncSpan> {
    const scan = await this.#scan(this.#context, 'async_events', this.processId);
    const beginNs = BigInt(this.begin.getTime()) * 1_000_000n;
    const endNs = BigInt(this.end.getTime()) * 1_000_000n;
    const events = (type: string) =>
      `SELECT span_id, parent_span_id, epoch_ns(time) AS ns, name, target, filename, line FROM ev WHERE event_type = '${type}'`;
    for await (const [id, parent, b, e, name, target, filename, line] of this.#stream(`
      WITH ev AS (${scan}), b AS (${events('begin')}), e AS (${events('end')})
      SELECT coalesce(b.span_id, e.span_id) AS id, coalesce(b.parent_span_id, e.parent_span_id),
             coalesce(b.ns, ${beginNs}) AS begin_ns, coalesce(e.ns, ${endNs}),
             coalesce(b.name, e.name), coalesce(b.target, e.target), coalesce(b.filename, e.filename), coalesce(b.line, e.line)
      FROM b FULL OUTER JOIN e ON b.span_id = e.span_id
      ORDER BY begin_ns, id`)) {
      yield { id: id as bigint, parent: parent as bigint, beginNs: b as bigint, endNs: e as bigint, ...slice(name, target, filename, line) };
    }
  }

  async #scan(context: SourceContext, viewSet: string, instance: string): Promise<string> {
    return printStatements(context.connection, [await viewScan(context, viewSet, instance)]);
  }

  async #rows(sql: string): Promise<unknown[][]> {
    return (await this.#context.connection.runAndReadAll(sql)).getRows();
  }

  async *#stream(sql: string): AsyncIterable<unknown[]> {
    const connection: DuckDBConnection = this.#context.connection;
    for await (const chunk of resultChunks(await connection.stream(sql))) yield* chunk.getRows();
    this.idle();
  }
}

function slice(name: unknown, target: unknown, filename: unknown, line: unknown): { name: string; target: string; filename: string; line: number } {
  return { name: String(name), target: String(target), filename: String(filename), line: Number(line) };
}
