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
  /**
   * API key sent as `authorization: Bearer <key>` (a key of the ingest role). Default: in a worker,
   * the main thread's; else $MICROMEGAS_API_KEY; else none (a backend without keys).
   */
  apiKey?: string;
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
  /**
   * `auto`: the CPU's timestamp counter when the native part was built and the counter is
   * invariant, else `performance.now()`; `portable`: always `performance.now()`.
   * Default $MICROMEGAS_TELEMETRY_CLOCK, else `auto`.
   */
  clock?: ClockChoice;
}

export type ClockChoice = 'auto' | 'portable';

export interface ResolvedOptions {
  exe: string | undefined;
  properties: Properties;
  url: URL;
  apiKey: string | undefined;
  flushPeriodMs: number;
  maxQueueBytes: number;
  blockEvents: number;
  shutdownTimeoutMs: number;
  threadName: string | undefined;
  parentProcessId: string;
  clock: ClockChoice;
}

export const DEFAULT_URL = 'http://127.0.0.1:9000';

/** A bad init() option or environment variable: thrown by init(), never later. */
export class TelemetryConfigError extends Error {
  override name = 'TelemetryConfigError';
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isFinite(v) && v > 0)) throw new TelemetryConfigError(`${name} must be a positive number, got ${String(value)}`);
  return v;
}

function clockChoice(value: string | undefined, source: string): ClockChoice {
  if (value === undefined || value === 'auto' || value === 'portable') return value ?? 'auto';
  throw new TelemetryConfigError(`${source} must be 'auto' or 'portable', got '${value}'`);
}

function parseUrl(value: string, source: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new TelemetryConfigError(`${source} must be an http(s) URL, got '${value}'`);
}

/** What a worker thread takes from its main thread's init(). */
export interface Inherited {
  url: string;
  apiKey?: string | undefined;
}

export function resolveOptions(options: InitOptions, inherited?: Inherited): ResolvedOptions {
  const inheritedUrl = inherited?.url;
  const envUrl = process.env['MICROMEGAS_TELEMETRY_URL'];
  const url =
    options.url !== undefined ? parseUrl(options.url, 'init({url})')
    : inheritedUrl !== undefined ? parseUrl(inheritedUrl, 'the main thread URL')
    : envUrl ? parseUrl(envUrl, 'MICROMEGAS_TELEMETRY_URL')
    : new URL(DEFAULT_URL);
  const apiKey = options.apiKey ?? (inherited ? inherited.apiKey : process.env['MICROMEGAS_API_KEY']);
  return {
    exe: options.exe,
    properties: { ...options.properties },
    url,
    apiKey: apiKey === '' ? undefined : apiKey,
    flushPeriodMs: positive('flushPeriodMs', options.flushPeriodMs, 1000),
    maxQueueBytes: positive('maxQueueBytes', options.maxQueueBytes, 16 * 1024 * 1024),
    blockEvents: Math.ceil(positive('blockEvents', options.blockEvents, 4096)),
    shutdownTimeoutMs: positive('shutdownTimeoutMs', options.shutdownTimeoutMs, 10_000),
    threadName: options.threadName,
    parentProcessId: process.env['MICROMEGAS_TELEMETRY_PARENT_PROCESS'] ?? '',
    clock: options.clock !== undefined ? clockChoice(options.clock, 'init({clock})') : clockChoice(process.env['MICROMEGAS_TELEMETRY_CLOCK'] || undefined, 'MICROMEGAS_TELEMETRY_CLOCK'),
  };
}
