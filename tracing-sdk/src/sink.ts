/**
 * The sink, on the SDK's worker thread: everything the recording thread does not do. It turns the
 * slabs it is handed into blocks (ticks, encoding, LZ4, CBOR), frees the slabs, queues the blocks
 * by priority under the byte bound, delivers them, and publishes its counters to shared memory.
 */
import { randomUUID } from 'node:crypto';
import {
  BlockEncoder, encodeCbor, type Block, type MetricDescriptor, type ProcessInfo, type StreamInfo, envelopeTicks,
} from '@micromegas/wire';
import { PerformanceTimebase, WallClock, type Pair, type TimeOrigin, type Timebase } from './clock.js';
import { DeliveryQueue, Priority } from './queue.js';
import { HttpSender } from './http-sender.js';
import { encodeSlab, SealScratch } from './seal.js';
import type { Definitions } from './registry.js';
import { H_AT_MAX, H_AT_MIN, H_BEGIN, H_END, H_EVENTS, H_STREAM, Slab, type SlabLayout } from './slab.js';
import { SlabPool } from './slab-pool.js';
import { TscTimebase, tscAddon, type ClockSource } from './tsc.js';
import * as S from './shared-stats.js';

/** A process description without its start, which the worker dates from `start`. */
export type ProcessDescription = Omit<ProcessInfo, 'start_time' | 'start_ticks'>;

/** What the recording thread gives its worker at start (workerData). */
export interface SinkInit {
  url: string;
  /** Sent with every request (the API key). */
  headers: Record<string, string>;
  maxQueueBytes: number;
  flushPeriodMs: number;
  origin: TimeOrigin;
  clock: { source: ClockSource; offsetTicks: number };
  ctl: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  layout: SlabLayout;
  slabs: SharedArrayBuffer[];
  definitions: Definitions;
  /** Present on the thread that registers the process (the main thread). */
  process: ProcessDescription | undefined;
  /** Clock reading at init (the process's start) and hrtime then, in ns since tick 0. */
  start: Pair;
  /** log, metrics, cpu: the index is the slab header's H_STREAM. */
  streams: StreamInfo[];
}

/** A slab to encode: its index alone, or with what came with it. */
export type BlockMessage = number | { t: 'block'; slab: number; definitions: Definitions | undefined; strings: string | undefined };

export type SinkMessage =
  | BlockMessage
  /** The slabs of one flush tick, whose blocks go out in one request. */
  | { t: 'blocks'; blocks: BlockMessage[] }
  | { t: 'slab'; memory: SharedArrayBuffer }
  | { t: 'shutdown'; deadline: number };

const PRIORITIES = [Priority.Logs, Priority.Metrics, Priority.Spans];
const METRICS_STREAM = 1;

const DROPPED_EVENTS: MetricDescriptor = { name: 'micromegas.dropped_events', unit: 'count', target: 'micromegas.sink' };
const DROPPED_BLOCKS: MetricDescriptor = { name: 'micromegas.dropped_blocks', unit: 'count', target: 'micromegas.sink' };

export class Sink {
  private readonly ctl: Int32Array;
  private readonly stats: Float64Array;
  private readonly slabs: Slab[];
  private readonly definitions: Definitions;
  private readonly time: Timebase;
  private readonly tsc: TscTimebase | undefined;
  private readonly wall: WallClock;
  private readonly encoder = new BlockEncoder();
  private readonly scratch: SealScratch;
  private readonly queue: DeliveryQueue;
  private readonly sender: HttpSender;
  private readonly offsets: number[];
  private readonly timer: NodeJS.Timeout;
  private reportedDrops = 0;
  private reportPending = false;
  private lostEvents = 0;
  private kickPending = false;

  constructor(private readonly init: SinkInit) {
    this.ctl = new Int32Array(init.ctl);
    this.stats = new Float64Array(init.stats);
    this.slabs = init.slabs.map((memory, i) => new Slab(i, memory, init.layout));
    this.scratch = new SealScratch(init.layout.strings);
    this.definitions = init.definitions;
    const tsc = init.clock.source === 'tsc' ? tscAddon() : undefined;
    this.tsc = tsc === undefined ? undefined : new TscTimebase(tsc, BigInt(init.origin.hrtime), init.start);
    this.time = this.tsc ?? new PerformanceTimebase(init.clock.offsetTicks);
    this.wall = new WallClock(init.origin);
    this.queue = new DeliveryQueue(init.maxQueueBytes);
    this.sender = new HttpSender(new URL(init.url), this.queue, () => this.onDelivered(), init.headers, () => this.publish());
    this.offsets = init.streams.map(() => 0);
    this.timer = setInterval(() => this.tick(), init.flushPeriodMs);
    this.stats[S.S_WORKER_TID] = tscAddon()?.threadId() ?? -1;
  }

  /** Queues the process (dated now that the clock is calibrated) and stream descriptions. */
  start(): void {
    this.tsc?.refine();
    const { process, start, streams } = this.init;
    if (process !== undefined) {
      const startTicks = this.time.ticks(start.count);
      const info: ProcessInfo = { ...process, start_time: this.wall.rfc3339(startTicks), start_ticks: startTicks };
      this.enqueue(Priority.Metadata, '/ingestion/insert_process', info, 0);
    }
    for (const stream of streams) this.enqueue(Priority.Metadata, '/ingestion/insert_stream', stream, 0);
    this.publish();
  }

  handle(message: SinkMessage): void | Promise<boolean> {
    if (typeof message === 'number') {
      this.block(message, undefined, undefined);
      return;
    }
    switch (message.t) {
      case 'slab':
        this.slabs.push(new Slab(this.slabs.length, message.memory, this.init.layout));
        return;
      case 'block':
        this.block(message.slab, message.definitions, message.strings);
        return;
      case 'blocks':
        for (const block of message.blocks) this.handle(block);
        return;
      case 'shutdown':
        return this.shutdown(message.deadline);
    }
  }

  private define(fresh: Definitions | undefined): void {
    if (fresh === undefined) return;
    this.definitions.spans.push(...fresh.spans);
    this.definitions.metrics.push(...fresh.metrics);
    this.definitions.targets.push(...fresh.targets);
  }

  private block(index: number, fresh: Definitions | undefined, strings: string | undefined): void {
    this.define(fresh);
    const slab = this.slabs[index]!;
    const h = slab.header;
    const stream = h[H_STREAM]!;
    const events = h[H_EVENTS]!;
    try {
      this.tsc?.refine();
      const beginTicks = Math.min(this.time.ticks(h[H_BEGIN]!), h[H_AT_MIN]!);
      const endTicks = Math.max(this.time.ticks(h[H_END]!), h[H_AT_MAX]!);
      this.encoder.reset(beginTicks);
      encodeSlab(slab, strings, this.definitions, this.time, this.encoder, this.scratch);
      this.emit(stream, beginTicks, endTicks, events);
    } catch {
      this.lostEvents += events;
    }
    // Counters first: whoever `flush()` wakes reads them with this block queued.
    this.publish();
    SlabPool.release(this.ctl, index);
  }

  /** The encoder's block, for `stream`, to the queue. */
  private emit(stream: number, beginTicks: number, endTicks: number, events: number): void {
    const info = this.init.streams[stream]!;
    const block: Block = {
      block_id: randomUUID(),
      stream_id: info.stream_id,
      process_id: info.process_id,
      begin_time: this.wall.rfc3339(beginTicks),
      begin_ticks: envelopeTicks(beginTicks),
      end_time: this.wall.rfc3339(endTicks),
      end_ticks: envelopeTicks(endTicks),
      payload: this.encoder.finish(),
      object_offset: this.offsets[stream]!,
      nb_objects: events,
    };
    this.offsets[stream]! += events;
    this.enqueue(PRIORITIES[stream]!, '/ingestion/insert_block', block, events);
  }

  private enqueue(priority: Priority, path: string, value: unknown, events: number): void {
    try {
      this.queue.push({ priority, path, body: encodeCbor(value), events });
      this.kickSoon();
    } catch {
      this.lostEvents += events;
    }
  }

  /**
   * Starts the sender once the messages that arrived together are handled, so that the blocks of a
   * flush tick (one message) and of any slab that filled meanwhile go out in one request.
   */
  private kickSoon(): void {
    if (this.kickPending) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.sender.kick();
    });
  }

  private droppedEvents(): number {
    return this.queue.dropped.events + this.stats[S.S_RECORDER_DROPPED_EVENTS]!;
  }

  /** Once delivery works again after drops, a report is due (sent with the next tick). */
  private onDelivered(): void {
    if (this.droppedEvents() !== this.reportedDrops) this.reportPending = true;
  }

  /** What was dropped, as measures of the metrics stream (running totals). */
  private report(): void {
    if (!this.reportPending) return;
    this.reportPending = false;
    const events = this.droppedEvents();
    this.reportedDrops = events;
    // The worker has no reading of the recording thread's clock: hrtime is the frame both map to.
    const ticks = Number(process.hrtime.bigint() - BigInt(this.init.origin.hrtime));
    this.encoder.reset(ticks);
    this.encoder.intMeasure(ticks, DROPPED_EVENTS, events);
    this.encoder.intMeasure(ticks, DROPPED_BLOCKS, this.queue.dropped.blocks + this.stats[S.S_RECORDER_DROPPED_BLOCKS]!);
    this.emit(METRICS_STREAM, ticks, ticks, 2);
  }

  private tick(): void {
    this.report();
    this.publish();
  }

  private publish(): void {
    const s = this.stats;
    const d = this.queue.dropped;
    s[S.S_SENT] = this.sender.stats.sent;
    s[S.S_REJECTED] = this.sender.stats.rejected;
    s[S.S_FAILURES] = this.sender.stats.failures;
    s[S.S_QUEUED_BYTES] = this.queue.byteLength;
    s[S.S_QUEUED_ITEMS] = this.queue.size;
    s[S.S_DROPPED_BLOCKS] = d.blocks;
    s[S.S_DROPPED_EVENTS] = d.events;
    s[S.S_DROPPED_BYTES] = d.bytes;
    s[S.S_LOST_EVENTS] = this.lostEvents;
  }

  /** Sends what is left within the deadline; true if everything was delivered. */
  private async shutdown(deadline: number): Promise<boolean> {
    clearInterval(this.timer);
    this.report();
    let delivered = await this.sender.drain(deadline);
    // Drops that the last deliveries came to report (delivery resumed only now) go out too.
    if (delivered && this.reportPending) {
      this.report();
      delivered = await this.sender.drain(deadline);
    }
    this.sender.close();
    this.publish();
    return delivered;
  }
}
