/** init() options and their environment-variable defaults. */
import type { Properties } from '@micromegas/wire';

export interface InitOptions {
  /** Executable name reported for the process (default: the script's file name). */
  exe?: string;
  /** Process properties (main thread) or extra thread-stream properties (worker). */
  properties?: Properties;
  /**
   * Ingestion base URL. Default: in a worker, the main thread's; else $MICROMEGAS_TELEMETRY_URL,
   * else http://127.0.0.1:9000.
   */
  url?: string;
  /** Period at which partially filled buffers are sealed and sent. Default 1000 ms. */
  flushPeriodMs?: number;
  /** Bound on bytes waiting for delivery; beyond it the lowest priority blocks are dropped. Default 16 MiB. */
  maxQueueBytes?: number;
  /** Events per block buffer (per stream). Default 4096. */
  blockEvents?: number;
  /** How long shutdown() keeps retrying delivery. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Name of this thread's `cpu` stream. Default `main` or `worker-<threadId>`. */
  threadName?: string;
}

export interface ResolvedOptions {
  exe: string | undefined;
  properties: Properties;
  url: URL;
  flushPeriodMs: number;
  maxQueueBytes: number;
  blockEvents: number;
  shutdownTimeoutMs: number;
  threadName: string | undefined;
  parentProcessId: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:9000';

export function resolveOptions(options: InitOptions, inheritedUrl?: string): ResolvedOptions {
  return {
    exe: options.exe,
    properties: { ...options.properties },
    url: new URL(options.url ?? inheritedUrl ?? process.env['MICROMEGAS_TELEMETRY_URL'] ?? DEFAULT_URL),
    flushPeriodMs: options.flushPeriodMs ?? 1000,
    maxQueueBytes: options.maxQueueBytes ?? 16 * 1024 * 1024,
    blockEvents: options.blockEvents ?? 4096,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    threadName: options.threadName,
    parentProcessId: process.env['MICROMEGAS_TELEMETRY_PARENT_PROCESS'] ?? '',
  };
}
