/**
 * `@micromegas/tracing/pino`: a pino transport. pino runs it in its worker thread
 * (`pino.transport({ target: '@micromegas/tracing/pino', options })`), where it starts this SDK and
 * records every line as a log entry; the app's thread only writes JSON lines into pino's buffer.
 *
 * Process identity comes from the first line: pino's `pid` and `hostname` bindings become process
 * properties and its `name` the default exe. If the app called `init()` before creating the
 * transport, the worker joins the app's process instead (a `pino` thread of it).
 */
import { hostname } from 'node:os';
import build from 'pino-abstract-transport';
import { flush, init, logAt, shutdown, sinkStats } from './lifecycle.js';
import type { InitOptions } from './options.js';
import { entryTime, levelOf, messageOf, propertiesOf, type PinoLevels, type PinoLine } from './pino-line.js';

export interface PinoTransportOptions {
  /** Ingestion URL (default $MICROMEGAS_TELEMETRY_URL, else http://127.0.0.1:9000). */
  url?: string;
  /** API key of the ingest role (default $MICROMEGAS_API_KEY). */
  apiKey?: string;
  /** Executable name of the process (default: the logger's `name`, else `pino`). */
  exe?: string;
  /** Process properties, beside pino's `pid` and `hostname`. */
  properties?: Record<string, string>;
  /** How long `logger.flush()` and the end of the app wait for delivery. Default 2000 ms. */
  shutdownTimeoutMs?: number;
  flushPeriodMs?: number;
  maxQueueBytes?: number;
}

/** What pino-abstract-transport's stream carries once pino sent its configuration. */
interface PinoSource extends AsyncIterable<PinoLine> {
  readonly readableLength: number;
  readonly levels?: PinoLevels;
  readonly messageKey?: string;
}

const DEFAULT_TIMEOUT_MS = 2000;
const POLL_MS = 10;
/** Fields that are the entry's own columns, not properties. */
const TARGET_KEY = 'name';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export default async function micromegasTransport(options: PinoTransportOptions = {}) {
  const { exe, properties, shutdownTimeoutMs, ...rest } = options;
  const timeoutMs = shutdownTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  /** undefined: not started; false: the options were refused (said once on stderr, lines dropped). */
  let started: boolean | undefined;
  let identity: { pid: unknown; hostname: unknown } = { pid: undefined, hostname: undefined };

  function start(first: PinoLine): boolean {
    identity = { pid: first['pid'], hostname: first['hostname'] };
    const processProperties: Record<string, string> = { ...properties };
    if (identity.pid !== undefined) processProperties['pid'] = String(identity.pid);
    processProperties['hostname'] = typeof identity.hostname === 'string' ? identity.hostname : hostname();
    const init_: InitOptions = {
      ...rest,
      exe: exe ?? (typeof first[TARGET_KEY] === 'string' ? first[TARGET_KEY] : 'pino'),
      properties: processProperties,
      shutdownTimeoutMs: timeoutMs,
      threadName: 'pino',
    };
    try {
      init(init_);
      return true;
    } catch (error) {
      // A bad option must not crash the app that logs: say it once, drop the lines.
      process.stderr.write(`@micromegas/tracing/pino: ${(error as Error).message}; logs are not sent\n`);
      return false;
    }
  }

  function record(line: PinoLine, source: PinoSource): void {
    const messageKey = source.messageKey ?? 'msg';
    const skip = (key: string, value: unknown): boolean =>
      key === 'level' || key === 'time' || key === messageKey || key === TARGET_KEY ||
      ((key === 'pid' || key === 'hostname') && value === identity[key]);
    const time = entryTime(line['time'], BigInt(Date.now()) * 1_000_000n);
    const props = propertiesOf(line, skip);
    if (time.original !== undefined) props['time'] = time.original;
    const target = typeof line[TARGET_KEY] === 'string' ? line[TARGET_KEY] : 'pino';
    logAt(time.ns, levelOf(line['level'], source.levels), target, messageOf(line, messageKey), props);
  }

  const stream = await build(async (source: PinoSource) => {
    for await (const line of source) {
      started ??= start(line);
      if (started) record(line, source);
    }
  }, {
    expectPinoConfig: true,
    // The app ends (pino ends the stream at exit and waits for us): deliver what is left.
    close: async () => {
      await shutdown(timeoutMs);
    },
  });

  /** `logger.flush(cb)`: the lines written so far are recorded, sealed and delivered (or the timeout passed). */
  async function flushAll(): Promise<void> {
    do await new Promise((resolve) => setImmediate(resolve));
    while ((stream as unknown as PinoSource).readableLength > 0);
    flush();
    const deadline = Date.now() + timeoutMs;
    while ((sinkStats()?.queuedItems ?? 0) > 0 && Date.now() < deadline) await sleep(POLL_MS);
  }
  return Object.assign(stream, { flush: flushAll });
}
