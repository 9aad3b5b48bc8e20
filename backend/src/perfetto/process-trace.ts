/**
 * One process's trace: a process track; a thread track per thread stream with its spans as nested
 * slices; async spans on lanes under the process (tracks all named `async`, which Perfetto's UI
 * shows as one track with rows). Spans come from a TraceSource (the lake's views, or a test's).
 */
import { AsyncLanes } from './async-lanes.js';
import { processPid, threadTid, trackUuid } from './track-ids.js';
import type { PerfettoWriter, SliceInfo } from './trace-writer.js';
import { u64, type U64 } from './trace-proto.js';

export type SpanTypes = 'thread' | 'async' | 'both';
export const SPAN_TYPES: readonly SpanTypes[] = ['thread', 'async', 'both'];

export interface TraceProcess {
  processId: string;
  exe: string;
  startTimeNs: bigint;
  properties: Readonly<Record<string, string>>;
}

export interface TraceThread {
  streamId: string;
  /** The stream's `thread-id` and `thread-name` properties, when it has them. */
  threadId?: string;
  threadName?: string;
}

/** A thread span, as thread_spans has it: ids in the order the spans began. */
export interface ThreadSpan extends SliceInfo {
  id: bigint;
  parent: bigint;
  beginNs: bigint;
  endNs: bigint;
}

/** An async span, its begin and end events joined. */
export interface AsyncSpan extends SliceInfo {
  id: bigint;
  parent: bigint;
  beginNs: bigint;
  endNs: bigint;
}

export interface TraceSource {
  /** The thread streams of the process (streams tagged `cpu`). */
  threads(): Promise<TraceThread[]>;
  /** The stream's spans that begin in the time range, by id (the order they began). */
  threadSpans(streamId: string): AsyncIterable<ThreadSpan>;
  /** The process's async spans that meet the time range, by begin time then id. */
  asyncSpans(): AsyncIterable<AsyncSpan>;
}

export async function writeProcessTrace(writer: PerfettoWriter, process: TraceProcess, source: TraceSource, spanTypes: SpanTypes): Promise<void> {
  const pid = processPid(process.processId, process.properties['pid']);
  const processTrack = trackUuid(`process:${process.processId}`);
  writer.track({
    uuid: processTrack,
    process: {
      pid, process_name: process.exe, start_timestamp_ns: u64(process.startTimeNs),
      process_labels: Object.entries(process.properties).map(([key, value]) => `${key}=${value}`),
    },
  });

  if (spanTypes !== 'async') {
    for (const thread of await source.threads()) {
      const track = trackUuid(`thread:${thread.streamId}`);
      const tid = threadTid(pid, thread.threadId, thread.streamId);
      writer.track({ uuid: track, parent_uuid: processTrack, thread: { pid, tid: u64(BigInt(tid)), thread_name: thread.threadName || thread.streamId } });
      await writeThreadSpans(writer, track, source.threadSpans(thread.streamId));
    }
  }
  if (spanTypes !== 'thread') await writeAsyncSpans(writer, processTrack, process.processId, source.asyncSpans());
  writer.flush();
}

/**
 * Slices nest as the spans did: before a span begins, the open spans that are not its ancestors end
 * (innermost first), so equal timestamps keep the recorded order and Perfetto's stable sort keeps it.
 */
async function writeThreadSpans(writer: PerfettoWriter, track: U64, spans: AsyncIterable<ThreadSpan>): Promise<void> {
  const open: ThreadSpan[] = [];
  const closeUntil = (parent: bigint | undefined) => {
    for (let top = open.at(-1); top !== undefined && top.id !== parent; top = open.at(-1)) {
      open.pop();
      writer.end(track, top.endNs);
    }
  };
  for await (const span of spans) {
    // A parent outside the range (or still open) is not on the stack: the span starts a new tree.
    closeUntil(open.some((s) => s.id === span.parent) ? span.parent : undefined);
    writer.begin(track, span.beginNs, span);
    open.push(span);
  }
  closeUntil(undefined);
}

async function writeAsyncSpans(writer: PerfettoWriter, processTrack: U64, processId: string, spans: AsyncIterable<AsyncSpan>): Promise<void> {
  const laneTracks: U64[] = [];
  const lanes = new AsyncLanes({ end: (lane, endNs) => writer.end(laneTracks[lane]!, endNs) });
  for await (const span of spans) {
    const lane = lanes.place(span);
    if (lane === laneTracks.length) {
      laneTracks.push(trackUuid(`async:${processId}:${lane}`));
      writer.track({ uuid: laneTracks[lane]!, parent_uuid: processTrack, name: 'async' });
    }
    writer.begin(laneTracks[lane]!, span.beginNs, span);
  }
  lanes.closeAll();
}
