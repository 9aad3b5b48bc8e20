/**
 * SDK recording cost beside OpenTelemetry JS and pino, clock sources, string hand-over options,
 * and bytes per event on the wire for the demo workload. All costs are CPU time (this thread's,
 * through the SDK's native part when built), medians of rounds.
 *
 * Per operation, the SDK's cost is split where it is paid: the hot path (the call writing into
 * the slab), the per-block hand-over on the recording thread (amortized per call), their sum (what
 * the app's thread pays in the call), the recording thread's CPU while the blocks are sent later,
 * the SDK worker's thread (encode, LZ4, CBOR, queue, HTTP), and the total. Each SDK variant (clock,
 * or `BENCH_SDK_BASELINE=<checkout>/tracing-sdk/dist/index.js`, another build such as main's,
 * which seals on the recording thread) runs in a process of its own (sdk-recording.ts), the
 * variants alternating round by round against one discarding ingestion stand-in.
 */
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import * as tracing from '@micromegas/tracing';
import { counterInvariant, tscAddon } from '@micromegas/tracing/tsc';
import { runGameLoop } from '../src/demo/game-loop.js';
import { StubIngestion } from '../tests/sdk-stub-ingestion.js';
import { cpuClock, median, startDiscardServer } from './sdk-measure.js';
import { BLOCK_EVENTS, MESSAGES, OPERATIONS, type Cost } from './sdk-recording.js';
import { measureStringOptions } from './sdk-strings.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const OPS = 20_000;
const DEMO_SECONDS = Number(process.env['BENCH_DEMO_SECONDS'] ?? 4);

const cpu = cpuClock();

function nsPerOp(ops: number, fn: (n: number) => void): number {
  const t0 = cpu.now();
  fn(ops);
  return (cpu.now() - t0) / ops;
}

let sink = 0; // consumed so clock reads are not optimized away
function clockCases(): Record<string, () => number> {
  const cases: Record<string, () => number> = {
    'loop baseline': () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) sink += i; }),
    'performance.now()': () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) sink += performance.now(); }),
    'process.hrtime.bigint()': () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) sink += Number(process.hrtime.bigint() & 1n); }),
    'process.hrtime()': () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) sink += process.hrtime()[1]; }),
    'Date.now()': () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) sink += Date.now(); }),
  };
  const tsc = tscAddon();
  if (tsc !== undefined) {
    const slot = new Float64Array(new SharedArrayBuffer(8));
    const stamp = tsc.stamper(slot);
    cases['TSC, N-API call returning a double'] = () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) sink += tsc.now(); });
    cases['TSC, N-API call writing a Float64Array (SDK)'] = () => nsPerOp(OPS * 10, (n) => { for (let i = 0; i < n; i++) { stamp(); sink += slot[0]!; } });
  }
  return cases;
}

/** Interleaves the cases round by round; returns each case's median. */
async function measure(cases: Record<string, () => number>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) cases[name]!(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(cases)) {
      (samples[name] ??= []).push(run());
      await yieldToLoop(); // lets OTel's batch processor do its work between samples
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

interface Variant {
  name: string;
  /** The child's argument: a clock of this SDK, or another build's index.js. */
  arg: string;
  /** Target for the recording thread, per call, by operation. */
  targets: number[] | undefined;
}

/** One variant's costs, measured in a child process of its own. */
function runVariant(variant: Variant, url: string): Promise<Cost[]> {
  const script = fileURLToPath(new URL('./sdk-recording.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, url, variant.arg], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out) as { costs: Cost[] }).costs) : reject(new Error(`${variant.name}: exit ${code}`))));
  });
}

/** Variants alternate round by round, so a busy machine skews them alike. */
async function sdkCosts(variants: Variant[], url: string): Promise<Record<string, Cost[][]>> {
  const samples: Record<string, Cost[][]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const variant of variants) {
      const costs = await runVariant(variant, url);
      (samples[variant.name] ??= OPERATIONS.map(() => [])).forEach((s, k) => s.push(costs[k]!));
    }
  }
  return samples;
}

const noopExporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

interface Others {
  otel: number;
  pino: number;
  pinoNew: number;
}

async function othersCosts(): Promise<Others> {
  const tracer = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] }).getTracer('bench');
  const pinoLogger = pino({ base: null }, pino.destination({ dest: '/dev/null', sync: true }));
  // Apart from the SDK's rounds: the garbage OTel leaves behind must not be collected on its clock.
  const r = await measure({
    otel: () => nsPerOp(OPS, (n) => { for (let i = 0; i < n; i++) tracer.startSpan('tick').end(); }),
    pino: () => nsPerOp(OPS, (n) => { for (let i = 0; i < n; i++) pinoLogger.info('player moved'); }),
    pinoNew: () => nsPerOp(OPS, (n) => { for (let i = 0; i < n; i++) pinoLogger.info(MESSAGES[i % BLOCK_EVENTS]!); }),
  });
  return { otel: r['otel']!, pino: r['pino']!, pinoNew: r['pinoNew']! };
}

function variants(): Variant[] {
  const list: Variant[] = [];
  const baseline = process.env['BENCH_SDK_BASELINE'];
  if (baseline) list.push({ name: 'baseline (seal on the recording thread)', arg: baseline, targets: undefined });
  list.push({ name: 'this, performance.now()', arg: 'portable', targets: [105, 55, 55, 55] });
  if (tscAddon() !== undefined && counterInvariant()) list.push({ name: 'this, TSC', arg: 'auto', targets: [60, 30, 30, 30] });
  return list;
}

function table(list: Variant[], samples: Record<string, Cost[][]>, others: Others): void {
  const rows: Record<string, string>[] = [];
  const theirs = [['OTel', others.otel], ['pino', others.pino], ['pino', others.pinoNew], undefined] as const;
  OPERATIONS.forEach((operation, k) => {
    for (const variant of list) {
      const s = samples[variant.name]![k]!;
      const thread = median(s.map((c) => c.hot + c.block));
      const total = median(s.map((c) => c.hot + c.block + c.send + c.worker));
      const target = variant.targets?.[k];
      const other = theirs[k];
      rows.push({
        operation,
        sdk: variant.name,
        'hot path': median(s.map((c) => c.hot)).toFixed(1),
        'per block': median(s.map((c) => c.block)).toFixed(1),
        'recording thread': thread.toFixed(1),
        'target': target === undefined ? '' : `≤ ${target} ${thread <= target ? 'met' : 'NOT met'}`,
        'sending (rec. thread)': median(s.map((c) => c.send)).toFixed(1),
        'SDK worker': median(s.map((c) => c.worker)).toFixed(1),
        'total CPU': total.toFixed(1),
        'vs': other === undefined ? '' : `${other[0]} ${other[1].toFixed(0)}: ${(other[1] / thread).toFixed(1)}x (thread), ${(other[1] / total).toFixed(1)}x (total)`,
      });
    }
  });
  console.log(`\nRecording cost per call in ns (${cpu.name}; median of ${ROUNDS} rounds, each variant in a process of its own, 32 blocks of ${BLOCK_EVENTS} events per operation)`);
  console.table(rows);
  console.log('recording thread = hot path + per block (the hand-over, amortized): what the calling thread pays in the call;');
  console.log('sending = its CPU while the blocks go out afterwards; total = all of it plus the SDK worker thread.');
  console.log(`OTel JS startSpan().end() (BatchSpanProcessor, no-op exporter): ${others.otel.toFixed(1)} ns; pino info (sync /dev/null): ${others.pino.toFixed(1)} ns, new message each call ${others.pinoNew.toFixed(1)} ns`);
  if (!cpu.perThread) console.log('(no native part: "recording thread" and "SDK worker" figures are both process-wide)');
}

async function recordingCosts(url: string): Promise<void> {
  const list = variants();
  const samples = await sdkCosts(list, url);
  table(list, samples, await othersCosts());
}

async function clockCosts(): Promise<void> {
  const results = await measure(clockCases());
  console.log(`\nClock sources (ns per read, ${cpu.name}, loop overhead included)`);
  console.table(Object.entries(results).map(([source, ns]) => ({ source, 'ns/read': ns.toFixed(1) })));
  if (sink === 0.5) console.log(''); // keeps `sink` observable
}

/** Runs the demo's main-thread loop through the SDK into a decoding stub and counts bytes. */
async function wireBytes(stub: StubIngestion, url: string): Promise<void> {
  tracing.init({ url, exe: 'bench-demo' });
  const frames = await runGameLoop({ name: 'bench', framesPerSecond: 60, frames: DEMO_SECONDS * 60 });
  await tracing.shutdown();
  const byTag = new Map<string, { events: number; payload: number; blocks: number }>();
  for (const { block, events } of stub.blocks) {
    const stream = stub.streams.find((s) => s.stream_id === block.stream_id);
    if (stream === undefined || !stub.processes.some((p) => p.process_id === block.process_id && p.exe === 'bench-demo')) continue;
    const tag = stream.tags.join(',');
    const t = byTag.get(tag) ?? { events: 0, payload: 0, blocks: 0 };
    t.events += events.length;
    t.payload += block.payload.objects.byteLength + block.payload.dependencies.byteLength;
    t.blocks++;
    byTag.set(tag, t);
  }
  const all = [...byTag.values()].reduce((a, t) => ({ events: a.events + t.events, payload: a.payload + t.payload, blocks: a.blocks + t.blocks }), { events: 0, payload: 0, blocks: 0 });
  console.log(`\nWire size, demo workload (${frames} frames at 60 frames/s, 1 s flush period; compressed dependencies + objects)`);
  console.table([
    ...[...byTag.entries()].map(([tag, t]) => ({ stream: tag, blocks: t.blocks, events: t.events, 'payload bytes': t.payload, 'bytes/event': (t.payload / t.events).toFixed(2) })),
    { stream: 'all', blocks: all.blocks, events: all.events, 'payload bytes': all.payload, 'bytes/event': `${(all.payload / all.events).toFixed(2)} (target ≤ 8: ${all.payload / all.events <= 8 ? 'met' : 'NOT met'})` },
  ]);
}

export async function run(): Promise<void> {
  await clockCosts();
  measureStringOptions(cpu);
  const discard = await startDiscardServer();
  try {
    await recordingCosts(discard.url);
  } finally {
    discard.stop();
  }
  const stub = new StubIngestion();
  try {
    await wireBytes(stub, await stub.start());
  } finally {
    await stub.stop();
  }
}
