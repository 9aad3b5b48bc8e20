/**
 * This thread's SDK instance: its three streams (log, metrics, cpu), the delivery queue and
 * sender, and the flush timer. The main thread registers the process; worker threads join it
 * through worker environment data, which init() on the main thread publishes for workers created
 * after it.
 */
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';
import { encodeCbor, type Block, type MetricDescriptor, type ProcessInfo } from '@micromegas/wire';
import { INT_MEASURE } from './event-buffer.js';
import { Stream } from './stream.js';
import { DeliveryQueue, Priority } from './queue.js';
import { HttpSender, type SenderStats } from './http-sender.js';
import { collectProcessInfo } from './process-info.js';
import { mainTimeOrigin, Timebase, type TimeOrigin } from './clock.js';
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

const DROPPED_EVENTS: MetricDescriptor = { name: 'micromegas.dropped_events', unit: 'count', target: 'micromegas.sink' };
const DROPPED_BLOCKS: MetricDescriptor = { name: 'micromegas.dropped_blocks', unit: 'count', target: 'micromegas.sink' };

export interface SinkStats extends SenderStats {
  queuedBytes: number;
  queuedItems: number;
  droppedBlocks: number;
  droppedEvents: number;
  droppedBytes: number;
  /** Events lost before reaching the queue (a block that failed to encode). */
  lostEvents: number;
}

export class Runtime {
  readonly processId: string;
  readonly process: ProcessInfo | undefined;
  readonly log: Stream;
  readonly metrics: Stream;
  readonly cpu: Stream;
  readonly time: Timebase;
  private readonly queue: DeliveryQueue;
  private readonly sender: HttpSender;
  private readonly timer: NodeJS.Timeout;
  private reportedDroppedEvents = 0;
  private lostEvents = 0;
  private readonly priorities = new Map<Stream, Priority>();

  private readonly options: ResolvedOptions;

  constructor(init: InitOptions) {
    const share = isMainThread ? undefined : (getEnvironmentData(SHARE_KEY) as ProcessShare | undefined);
    const options = resolveOptions(init, share);
    this.options = options;
    const origin = share?.origin ?? mainTimeOrigin();
    this.time = new Timebase(origin);
    this.queue = new DeliveryQueue(options.maxQueueBytes);
    const headers: Record<string, string> = options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` };
    this.sender = new HttpSender(options.url, this.queue, () => this.reportDrops(), headers);

    if (share) {
      this.processId = share.process_id;
    } else {
      this.process = collectProcessInfo(this.time, this.time.nowTicks(), options.exe, options.parentProcessId, options.properties);
      this.processId = this.process.process_id;
      this.enqueue(Priority.Metadata, '/ingestion/insert_process', this.process, 0);
      // Workers created from now on (by this thread) join this process.
      setEnvironmentData(SHARE_KEY, { process_id: this.processId, origin, url: options.url.href, apiKey: options.apiKey } satisfies ProcessShare);
    }

    const threadName = options.threadName ?? (isMainThread ? 'main' : `worker-${threadId}`);
    const threadProps = { 'thread-id': String(threadId), 'thread-name': threadName };
    const streamProps = share ? { ...options.properties, ...threadProps } : threadProps;
    this.log = this.openStream(['log'], streamProps, Priority.Logs);
    this.metrics = this.openStream(['metrics'], streamProps, Priority.Metrics);
    this.cpu = this.openStream(['cpu'], streamProps, Priority.Spans);

    this.timer = setInterval(() => this.flush(), options.flushPeriodMs);
    this.timer.unref();
    active.log = this.log.buffer;
    active.metrics = this.metrics.buffer;
    active.cpu = this.cpu.buffer;
  }

  private openStream(tags: string[], properties: Record<string, string>, priority: Priority): Stream {
    const stream = new Stream(this.processId, tags, properties, this.options.blockEvents, this.time, {
      block: (s, block) => this.onBlock(s, block),
      lost: (events) => {
        this.lostEvents += events;
      },
    });
    this.priorities.set(stream, priority);
    this.enqueue(Priority.Metadata, '/ingestion/insert_stream', stream.info, 0);
    return stream;
  }

  private onBlock(stream: Stream, block: Block): void {
    this.enqueue(this.priorities.get(stream)!, '/ingestion/insert_block', block, block.nb_objects);
  }

  private enqueue(priority: Priority, path: string, value: unknown, events: number): void {
    try {
      this.queue.push({ priority, path, body: encodeCbor(value), events });
      this.sender.kick();
    } catch {
      this.lostEvents += events;
    }
  }

  /** Once delivery works again, says how much was dropped meanwhile, as measures. */
  private reportDrops(): void {
    const { events, blocks } = this.queue.dropped;
    if (events === this.reportedDroppedEvents || active.metrics !== this.metrics.buffer) return;
    this.reportedDroppedEvents = events;
    this.metrics.buffer.measure(INT_MEASURE, DROPPED_EVENTS, events, undefined);
    this.metrics.buffer.measure(INT_MEASURE, DROPPED_BLOCKS, blocks, undefined);
  }

  /** Seals every non-empty buffer and starts sending. */
  flush(): void {
    this.log.seal();
    this.metrics.seal();
    this.cpu.seal();
  }

  stats(): SinkStats {
    const d = this.queue.dropped;
    return {
      ...this.sender.stats,
      queuedBytes: this.queue.byteLength,
      queuedItems: this.queue.size,
      droppedBlocks: d.blocks,
      droppedEvents: d.events,
      droppedBytes: d.bytes,
      lostEvents: this.lostEvents,
    };
  }

  /** Stops recording, flushes, and waits for delivery; false if the deadline passed first. */
  async shutdown(timeoutMs = this.options.shutdownTimeoutMs): Promise<boolean> {
    clearInterval(this.timer);
    this.flush();
    active.log = active.metrics = active.cpu = null;
    const delivered = await this.sender.drain(Date.now() + timeoutMs);
    this.sender.close();
    return delivered;
  }
}
