/**
 * process_spans(process_id, types), as micromegas shapes it: a process's thread spans, async spans or
 * both, with thread_spans' columns after `stream_id` and `thread_name` ('' and 'async' for async
 * spans). Thread spans come from one view_instance('thread_spans', …) per thread of the process with
 * blocks in the query's time range; async spans pair the begin and end events of
 * view_instance('async_events', process_id), as micromegas pairs them (inner join, begin before end).
 */
import { Dictionary, Int16, Utf8 } from 'apache-arrow';
import { QueryError } from '../engine.js';
import type { SourceContext } from '../rewrite/context.js';
import { viewScan } from '../rewrite/view-scan.js';
import { printStatements } from '../sql/parser.js';
import { quoteString } from '../sql/text.js';
import type { ThreadStream } from '../../views/catalog.js';
import type { ArgValue } from './table-functions.js';

const SPAN_TYPES = ['thread', 'async', 'both'];
const SPAN_COLUMNS = 'id, parent, depth, hash, "begin", "end", duration, name, target, filename, line';

export async function processSpans([processArg, typesArg]: ArgValue[], context: SourceContext): Promise<string> {
  const processId = String(processArg);
  const types = String(typesArg);
  if (!SPAN_TYPES.includes(types)) {
    throw new QueryError('invalid_argument', `process_spans: types must be 'thread', 'async' or 'both', got '${types}'`);
  }
  for (const column of ['stream_id', 'thread_name']) context.columnHints.add(column, new Dictionary(new Utf8(), new Int16()));
  const scan = async (viewSet: string, instanceId: string, scanContext = context) =>
    printStatements(context.connection, [await viewScan(scanContext, viewSet, instanceId)]);
  const parts: string[] = [];
  if (types !== 'async') {
    const threads = context.planOnly ? [] : await context.catalog.threadStreams(processId, context.range);
    for (const thread of threads) {
      parts.push(`SELECT ${quoteString(thread.streamId)} AS stream_id, ${quoteString(threadName(thread))} AS thread_name, ${SPAN_COLUMNS}
        FROM (${await scan('thread_spans', thread.streamId)})`);
    }
    // A process without threads in range: no rows, of the right types.
    if (types === 'thread' && parts.length === 0) {
      parts.push(`SELECT '' AS stream_id, '' AS thread_name, ${SPAN_COLUMNS} FROM (${await scan('thread_spans', processId, { ...context, planOnly: true })})`);
    }
  }
  if (types !== 'thread') {
    parts.push(`SELECT * FROM (WITH events AS (${await scan('async_events', processId)})
      SELECT '' AS stream_id, 'async' AS thread_name, b.span_id AS id, b.parent_span_id AS parent, b.depth, b.hash,
        b.time AS "begin", e.time AS "end", epoch_ns(e.time) - epoch_ns(b.time) AS duration, b.name, b.target, b.filename, b.line
      FROM events AS b JOIN events AS e ON b.span_id = e.span_id AND b.event_type = 'begin' AND e.event_type = 'end'
      WHERE b.time < e.time)`);
  }
  return parts.join('\nUNION ALL\n');
}

/** micromegas' name of a thread: '<thread-name>-<thread-id>', the id alone without a name, the stream id without an id. */
function threadName({ streamId, threadName: name, threadId }: ThreadStream): string {
  const id = threadId === undefined || threadId === '' ? streamId : threadId;
  return name === undefined || name === '' ? id : `${name}-${id}`;
}
