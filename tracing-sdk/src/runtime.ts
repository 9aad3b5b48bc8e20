/**
 * This thread's SDK instance: its clock, its three streams (log, metrics, cpu) and their slabs,
 * the sink worker that encodes and sends them, and the timer that hands partial slabs over. The
 * main thread registers the process; worker threads join it through worker environment data,
 * which init() on the main thread publishes for workers created after it.
 */
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';
import { bracketedReading, mainTimeOrigin, performanceOffsetTicks, WallClock, type TimeOrigin } from './clock.js';
import { EventBuffer, type PropertyBag } from './event-buffer.js';
import { collectProcessInfo } from './process-info.js';
import { allDefinitions, newDefinitions, targetId } from './registry.js';
import { slabLayout, type Slab } from './slab.js';
import { controlMemory, SlabPool } from './slab-pool.js';
import * as S from './shared-stats.js';
import { SinkClient } from './sink-client.js';
import type { ProcessDescription } from './sink.js';
import { streamInfo, type Stream } from './stream.js';
import { recordingClock, type RecordingClock } from './tsc.js';
import { active } from './state.js';
import { resolveOptions, type InitOptions, type ResolvedOptions } from './options.js';

const SHARE_KEY = 'micromegas-tracing/process';

/** What a worker needs to write into its parent thread's process. */
interface ProcessShare {
  process_id: string;
  origin: TimeOrigin;
  /** The main thread's ingestion URL: workers send there unless told otherwise. */
  url: string;
  /** And its API key. */
  apiKey?: string | undefined;
}

/** Free slabs a log, metrics, cpu stream leaves to the streams above it when the pool is exhausted. */
const RESERVES = [0, 1, 2];
/** `flush()` waits this long at most for the worker to take the slabs. */
const FLUSH_WAIT_MS = 10_000;

export class Runtime {
  readonly processId: string;
  readonly clock: RecordingClock;
  readonly log: Stream;
  readonly metrics: Stream;
  readonly cpu: Stream;
  private readonly streams: Stream[];
  private readonly pool: SlabPool;
  private readonly counters: Float64Array;
  private readonly sink: SinkClient;
  private readonly timer: NodeJS.Timeout;
  private readonly options: ResolvedOptions;
  private readonly wall: WallClock;
  private readonly originHrtime: bigint;

  constructor(init: InitOptions) {
    const share = isMainThread ? undefined : (getEnvironmentData(SHARE_KEY) as ProcessShare | undefined);
    const options = resolveOptions(init, share);
    this.options = options;
    const origin = share?.origin ?? mainTimeOrigin();
    this.wall = new WallClock(origin);
    this.originHrtime = BigInt(origin.hrtime);
    this.clock = recordingClock(options.clock);
    const start = bracketedReading(this.clock.now, BigInt(origin.hrtime));

    let process: ProcessDescription | undefined;
    if (share) {
      this.processId = share.process_id;
    } else {
      process = collectProcessInfo(options.exe, options.parentProcessId, options.properties);
      this.processId = process.process_id;
      // Workers created from now on (by this thread) join this process.
      setEnvironmentData(SHARE_KEY, { process_id: this.processId, origin, url: options.url.href, apiKey: options.apiKey } satisfies ProcessShare);
    }
    const threadName = options.threadName ?? (isMainThread ? 'main' : `worker-${threadId}`);
    const threadProps = { 'thread-id': String(threadId), 'thread-name': threadName };
    const streamProps = share ? { ...options.properties, ...threadProps } : threadProps;
    const infos = [['log'], ['metrics'], ['cpu']].map((tags) => streamInfo(this.processId, tags, streamProps));

    const layout = slabLayout(options.blockEvents);
    this.pool = new SlabPool(controlMemory(layout), layout);
    const statsMemory = S.statsMemory();
    this.counters = new Float64Array(statsMemory);
    this.sink = new SinkClient({
      url: options.url.href,
      headers: options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` },
      maxQueueBytes: options.maxQueueBytes,
      flushPeriodMs: options.flushPeriodMs,
      origin,
      clock: { source: this.clock.source, offsetTicks: performanceOffsetTicks(origin) },
      ctl: this.pool.memory,
      stats: statsMemory,
      layout,
      slabs: this.pool.slabs.map((slab) => slab.memory),
      definitions: allDefinitions(),
      process,
      start,
      streams: infos,
    });

    this.streams = infos.map((info, index) => {
      const stream: Stream = {
        index,
        info,
        buffer: new EventBuffer(this.acquire(index)!, this.clock.now(), this.clock.now, () => this.handOver(stream, true)),
      };
      return stream;
    });
    [this.log, this.metrics, this.cpu] = this.streams as [Stream, Stream, Stream];

    this.timer = setInterval(() => this.handOverAll(), options.flushPeriodMs);
    this.timer.unref();
    active.log = this.log.buffer;
    active.metrics = this.metrics.buffer;
    active.cpu = this.cpu.buffer;
  }

  private acquire(stream: number): Slab | undefined {
    return this.pool.acquire(RESERVES[stream]!, (slab) => this.sink.post({ t: 'slab', memory: slab.memory }));
  }

  /**
   * Gives the stream's slab to the worker and attaches an empty one. With none free, a full slab
   * is emptied and its events counted as dropped; a partial one (`full` false) waits for the next try.
   * `replace` false (at shutdown) hands the last slab over without taking another.
   */
  private handOver(stream: Stream, full: boolean, replace = true): boolean {
    const buffer = stream.buffer;
    const now = this.clock.now();
    if (this.sink.dead) {
      this.counters[S.S_RECORDER_LOST_EVENTS] += buffer.length;
      buffer.empty(now);
      return true;
    }
    const next = replace ? this.acquire(stream.index) : undefined;
    if (replace && next === undefined) {
      if (full) {
        this.counters[S.S_RECORDER_DROPPED_BLOCKS]++;
        this.counters[S.S_RECORDER_DROPPED_EVENTS] += buffer.length;
        buffer.empty(now);
      }
      return false;
    }
    const slab = buffer.slab;
    const strings = buffer.seal(stream.index, now);
    this.pool.queue(slab);
    const definitions = newDefinitions();
    this.sink.post(definitions === undefined && strings === undefined ? slab.index : { t: 'block', slab: slab.index, definitions, strings });
    if (next !== undefined) buffer.attach(next, now);
    return true;
  }

  /** Hands over every slab holding events, together (one request); false if one could not be (no slab free). */
  private handOverAll(replace = true): boolean {
    return this.sink.together(() => {
      let all = true;
      for (const stream of this.streams) if (stream.buffer.length > 0 && !this.handOver(stream, false, replace)) all = false;
      return all;
    });
  }

  /** A log entry at `epochNs` by another clock; a time after now, or too far from the origin, is now. */
  logAt(epochNs: bigint, level: number, target: string, msg: string, properties: PropertyBag | undefined): void {
    const now = Number(process.hrtime.bigint() - this.originHrtime);
    const ticks = Math.min(this.wall.ticksAt(epochNs) ?? now, now);
    this.log.buffer.logAt(ticks, level, targetId(target), target, msg, properties);
  }

  /** Hands every non-empty slab to the worker and waits until it has queued them as blocks. */
  flush(): void {
    if (!this.handOverAll()) {
      // No slab was free: once the worker has caught up, there is.
      this.sink.waitProcessed(FLUSH_WAIT_MS);
      this.handOverAll();
    }
    this.sink.waitProcessed(FLUSH_WAIT_MS);
  }

  /** Waits until the worker has processed every slab handed over (no hand-over of its own). */
  caughtUp(timeoutMs: number): boolean {
    return this.sink.waitProcessed(timeoutMs);
  }

  stats(): S.SinkStats {
    return S.readStats(this.counters);
  }

  /** The worker thread's kernel id (-1 when the native part cannot tell). */
  workerThreadId(): number {
    return this.counters[S.S_WORKER_TID]!;
  }

  /** Stops recording, hands everything over, and waits for delivery; false if the deadline passed first. */
  async shutdown(timeoutMs = this.options.shutdownTimeoutMs): Promise<boolean> {
    clearInterval(this.timer);
    active.log = active.metrics = active.cpu = null;
    this.handOverAll(false);
    return this.sink.shutdown(Date.now() + timeoutMs);
  }
}
