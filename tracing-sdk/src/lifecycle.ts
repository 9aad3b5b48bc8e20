/** init() and shutdown(): the life of this thread's SDK instance. */
import { isMainThread } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Level } from '@micromegas/wire';
import { Runtime, type SinkStats } from './runtime.js';
import type { InitOptions } from './options.js';
import type { PropertyBag } from './event-buffer.js';

let runtime: Runtime | null = null;
let exitHookInstalled = false;
/** At exit, ingestion gets this long to take the rest: the SDK must not hold a finished app for long. */
const EXIT_FLUSH_MS = 2000;

/**
 * Starts recording on this thread. On the main thread, registers the process; call it before
 * creating workers so that their init() joins this process. A second call is a no-op.
 */
export function init(options: InitOptions = {}): void {
  if (runtime !== null) return;
  runtime = new Runtime(options);
  if (isMainThread && !exitHookInstalled) {
    exitHookInstalled = true;
    // The event loop ran dry: send what is left (this keeps the process alive only until then).
    process.on('beforeExit', () => {
      if (runtime !== null) void shutdown(EXIT_FLUSH_MS);
    });
  }
}

/**
 * Seals what is buffered, stops recording, and resolves once everything is delivered, or to
 * false once `timeoutMs` (default: init's shutdownTimeoutMs) has passed. Never rejects.
 * Worker threads call it before they finish (workers get no beforeExit).
 */
export async function shutdown(timeoutMs?: number): Promise<boolean> {
  const rt = runtime;
  if (rt === null) return true;
  runtime = null;
  try {
    return await rt.shutdown(timeoutMs);
  } catch {
    return false;
  }
}

/** Seals the current buffers into blocks and queues them now, without waiting for the timer. */
export function flush(): void {
  runtime?.flush();
}

/**
 * Records a log entry that happened at `epochNs` (Unix nanoseconds) by another clock: for events
 * imported from another logger (the pino transport). A time after now, or more than 26 days before
 * it, is recorded as now (a block never ends before its events; ticks stay exact). Not for hot code:
 * `logger()` is the cheap path. No-op before init().
 */
export function logAt(epochNs: bigint, level: number, target: string, msg: string, properties?: PropertyBag): void {
  const rt = runtime;
  if (rt === null) return;
  const now = performance.now();
  const reading = Math.min(rt.time.readingAt(epochNs) ?? now, now);
  rt.log.buffer.logAt(reading, level >= Level.Fatal && level <= Level.Trace ? level : Level.Info, String(target), String(msg), properties);
}

/** Delivery counters of this thread's sink, or undefined when not initialized. */
export function sinkStats(): SinkStats | undefined {
  return runtime?.stats();
}

/** This thread's process id (shared by the workers that joined it), or undefined before init(). */
export function processId(): string | undefined {
  return runtime?.processId;
}

/** Stream ids of this thread, for tools and tests that look the streams up. */
export function streamIds(): { log: string; metrics: string; cpu: string } | undefined {
  if (runtime === null) return undefined;
  return {
    log: runtime.log.info.stream_id,
    metrics: runtime.metrics.info.stream_id,
    cpu: runtime.cpu.info.stream_id,
  };
}
