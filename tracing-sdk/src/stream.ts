/**
 * One telemetry stream of this thread: its StreamInfo, its hot buffer, and the sealing of full (or
 * flushed) buffers into Block envelopes.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  BlockEncoder, dependenciesMetadata, objectsMetadata, type Block, type Properties, type StreamInfo,
} from '@micromegas/wire';
import { EventBuffer } from './event-buffer.js';
import { encodeBuffer } from './seal.js';
import type { Timebase } from './clock.js';

export interface StreamSink {
  block(stream: Stream, block: Block): void;
  /** Events that could not be encoded (never expected; counted rather than thrown at the app). */
  lost(events: number): void;
}

/** Shared by the streams of a thread: one encoder's scratch buffers serve them all. */
const encoder = new BlockEncoder();

export class Stream {
  readonly info: StreamInfo;
  readonly buffer: EventBuffer;
  private objectOffset = 0;

  constructor(
    processId: string,
    tags: string[],
    properties: Properties,
    capacity: number,
    private readonly time: Timebase,
    private readonly sink: StreamSink,
  ) {
    this.info = {
      stream_id: randomUUID(),
      process_id: processId,
      dependencies_metadata: dependenciesMetadata(),
      objects_metadata: objectsMetadata(),
      tags,
      properties,
    };
    this.buffer = new EventBuffer(capacity, () => this.seal());
  }

  /** Encodes the buffered events into a block for the sink and empties the buffer. */
  seal(): void {
    const buf = this.buffer;
    if (buf.length === 0) return;
    const endMs = performance.now();
    let block: Block;
    try {
      block = this.encode(buf, endMs);
    } catch {
      this.sink.lost(buf.length);
      buf.clear(endMs);
      return;
    }
    this.objectOffset += buf.length;
    buf.clear(endMs);
    this.sink.block(this, block);
  }

  private encode(buf: EventBuffer, endMs: number): Block {
    const beginTicks = this.time.ticks(buf.beginMs);
    const endTicks = this.time.ticks(endMs);
    encodeBuffer(buf, encoder, this.time, beginTicks);
    return {
      block_id: randomUUID(),
      stream_id: this.info.stream_id,
      process_id: this.info.process_id,
      begin_time: this.time.rfc3339(beginTicks),
      begin_ticks: beginTicks,
      end_time: this.time.rfc3339(endTicks),
      end_ticks: endTicks,
      payload: encoder.finish(),
      object_offset: this.objectOffset,
      nb_objects: buf.length,
    };
  }
}
