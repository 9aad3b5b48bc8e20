/**
 * One SDK variant's recording costs, in a process of its own (run by bench/sdk.ts): variants in
 * one process would share the JIT's call-site feedback (two SDKs' classes, two clocks), which
 * makes each slower than it is in an app. Prints the costs as JSON on stdout.
 *
 *   node sdk-recording.js <ingestion url> <auto|portable|path of another build's index.js>
 */
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tracing from '@micromegas/tracing';
import { sinkCaughtUp, sinkWorkerThreadId } from '@micromegas/tracing/lifecycle';
import { cpuClock, otherThreadCpuNs } from './sdk-measure.js';

export const BLOCK_EVENTS = 4096;
/** Blocks recorded per operation. */
const BLOCKS = 32;

export const OPERATIONS = ['span begin+end', 'log info, same message', 'log info, a new message each call', 'measure (float)'] as const;

export interface Cost {
  hot: number;
  block: number;
  /** The recording thread's CPU while the blocks are sent afterwards (baseline: its sender runs there). */
  send: number;
  worker: number;
}

type Sdk = Pick<typeof tracing, 'init' | 'shutdown' | 'flush' | 'logger' | 'floatMetric' | 'spanScope' | 'sinkStats'>;

interface Variant {
  sdk: Sdk;
  options: tracing.InitOptions;
  /** The SDK worker's CPU time (ns) so far; 0 for an SDK without a worker. */
  workerCpu: () => number;
  /** Waits for the SDK worker to catch up (no-op without one). */
  caughtUp: () => void;
}

const cpu = cpuClock();

/** Built before the timed loops: building them is the app's cost, not the logger's. */
export const MESSAGES = Array.from({ length: BLOCK_EVENTS }, (_, i) => `player ${i} moved to ${i % 97},${i % 89}`);

/** Resolves once the SDK's queue is empty, polling at a pace that costs next to nothing. */
async function delivered(sdk: Sdk): Promise<void> {
  while ((sdk.sinkStats()?.queuedItems ?? 0) > 0) await sleep(1);
}

/**
 * Records BLOCKS blocks of one operation as an app would (each slab handed over by the event that
 * finds it full), timing apart that first event of a block (hand-over included) and the others.
 * Every few blocks, untimed, the SDK worker gets to catch up so that nothing is dropped. Then,
 * until the blocks are delivered, the recording thread's CPU counts as sending.
 */
async function recordBlocks(variant: Variant, eventsPerCall: number, record: (n: number) => void): Promise<Cost> {
  const calls = BLOCK_EVENTS / eventsPerCall;
  for (let b = 0; b < 8; b++) record(calls); // warm-up: the worker's code gets compiled too
  variant.sdk.flush();
  await delivered(variant.sdk);
  const w0 = variant.workerCpu();
  record(calls); // a full slab: the next event hands it over
  let hot = 0;
  let block = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const t0 = cpu.now();
    record(1);
    const t1 = cpu.now();
    record(calls - 1);
    const t2 = cpu.now();
    block += t1 - t0 - cpu.overhead;
    hot += t2 - t1 - cpu.overhead;
    if (b % 4 === 3) variant.caughtUp(); // a few blocks ahead, as a busy app would be
  }
  const t3 = cpu.now();
  variant.sdk.flush();
  await delivered(variant.sdk);
  const send = cpu.now() - t3;
  const n = (BLOCKS + 1) * calls;
  return { hot: hot / (BLOCKS * (calls - 1)), block: block / (BLOCKS * calls), send: send / n, worker: (variant.workerCpu() - w0) / n };
}

async function variant(which: string): Promise<Variant> {
  if (which === 'auto' || which === 'portable') {
    return { sdk: tracing, options: { clock: which }, workerCpu: () => otherThreadCpuNs(sinkWorkerThreadId()), caughtUp: () => void sinkCaughtUp() };
  }
  const sdk = (await import(pathToFileURL(which).href)) as Sdk;
  return { sdk, options: {}, workerCpu: () => 0, caughtUp: () => undefined };
}

async function main(): Promise<void> {
  const [url, which] = process.argv.slice(2);
  const v = await variant(which!);
  const { sdk } = v;
  sdk.init({ url: url!, exe: 'bench-sdk', blockEvents: BLOCK_EVENTS, flushPeriodMs: 3_600_000, maxQueueBytes: 256 * 1024 * 1024, ...v.options });
  const tick = sdk.spanScope('tick');
  const log = sdk.logger('bench.game');
  const fps = sdk.floatMetric('fps', 'hz');
  const costs: Cost[] = [
    await recordBlocks(v, 2, (n) => { for (let i = 0; i < n; i++) { tick.begin(); tick.end(); } }),
    await recordBlocks(v, 1, (n) => { for (let i = 0; i < n; i++) log.info('player moved'); }),
    await recordBlocks(v, 1, (n) => { for (let i = 0; i < n; i++) log.info(MESSAGES[i]!); }),
    await recordBlocks(v, 1, (n) => { for (let i = 0; i < n; i++) fps.record(i); }),
  ];
  await sdk.shutdown(10_000);
  process.stdout.write(JSON.stringify({ costs, perThread: cpu.perThread }));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
