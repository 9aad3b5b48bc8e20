/**
 * SDK recording cost beside OpenTelemetry JS and pino, clock-source costs, and bytes per event on
 * the wire for the demo workload. Cases of a library run interleaved in rounds and report medians,
 * so a busy machine skews them alike.
 *
 * SDK figures are split into the hot path (the call returns after writing into the buffer) and the
 * seal (encoding + LZ4 + CBOR envelope + queueing, paid on the recording thread once per 4096
 * events, shown per event); the ratio uses their sum.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { flush, floatMetric, init, logger, shutdown, spanScope } from '@micromegas/tracing';
import { runGameLoop } from '../src/demo/game-loop.js';
import { StubIngestion } from '../tests/sdk-stub-ingestion.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const BLOCK_EVENTS = 4096;
const OPS_PER_ROUND = 200_000;
const DEMO_SECONDS = Number(process.env['BENCH_DEMO_SECONDS'] ?? 4);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function nsPerOp(ops: number, fn: (n: number) => void): number {
  const t0 = process.hrtime.bigint();
  fn(ops);
  return Number(process.hrtime.bigint() - t0) / ops;
}

/** Interleaves the cases round by round; returns each case's median ns per op. */
async function measure(cases: Record<string, () => number>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) cases[name]!(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(cases)) {
      (samples[name] ??= []).push(run());
      await yieldToLoop(); // lets the SDK sender and OTel's batch processor do their I/O between samples
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

let sink = 0; // consumed so clock reads are not optimized away
const clocks = {
  'loop baseline': () => nsPerOp(OPS_PER_ROUND, (n) => { for (let i = 0; i < n; i++) sink += i; }),
  'performance.now()': () => nsPerOp(OPS_PER_ROUND, (n) => { for (let i = 0; i < n; i++) sink += performance.now(); }),
  'process.hrtime.bigint()': () => nsPerOp(OPS_PER_ROUND, (n) => { for (let i = 0; i < n; i++) sink += Number(process.hrtime.bigint() & 1n); }),
  'process.hrtime()': () => nsPerOp(OPS_PER_ROUND, (n) => { for (let i = 0; i < n; i++) sink += process.hrtime()[1]; }),
  'Date.now()': () => nsPerOp(OPS_PER_ROUND, (n) => { for (let i = 0; i < n; i++) sink += Date.now(); }),
};

/**
 * Records exactly one block's worth of events per batch, so the seal can be timed apart.
 * Figures are per call of `record`'s loop body (for spans: one begin+end pair).
 */
function sdkCase(eventsPerCall: number, record: (n: number) => void): { hot: () => number; seal: () => number } {
  const calls = BLOCK_EVENTS / eventsPerCall;
  const batches = Math.ceil(OPS_PER_ROUND / calls / 4);
  let sealNs = 0;
  return {
    hot: () => {
      let hotNs = 0;
      sealNs = 0;
      for (let b = 0; b < batches; b++) {
        const t0 = process.hrtime.bigint();
        record(calls);
        const t1 = process.hrtime.bigint();
        flush();
        sealNs += Number(process.hrtime.bigint() - t1);
        hotNs += Number(t1 - t0);
      }
      sealNs /= batches * calls;
      return hotNs / (batches * calls);
    },
    seal: () => sealNs,
  };
}

const noopExporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

async function recordingCosts(url: string): Promise<void> {
  init({ url, exe: 'bench-sdk', blockEvents: BLOCK_EVENTS, flushPeriodMs: 3_600_000, maxQueueBytes: 64 * 1024 * 1024 });
  const tick = spanScope('tick');
  const log = logger('bench.game');
  const fps = floatMetric('fps', 'hz');
  const sdk = {
    span: sdkCase(2, (n) => { for (let i = 0; i < n; i++) { tick.begin(); tick.end(); } }),
    log: sdkCase(1, (n) => { for (let i = 0; i < n; i++) log.info('player moved'); }),
    measure: sdkCase(1, (n) => { for (let i = 0; i < n; i++) fps.record(i); }),
  };

  const otel = (processor: 'simple' | 'batch'): (() => number) => {
    const spanProcessors = [processor === 'simple' ? new SimpleSpanProcessor(noopExporter) : new BatchSpanProcessor(noopExporter)];
    const tracer = new BasicTracerProvider({ spanProcessors }).getTracer('bench');
    return () => nsPerOp(OPS_PER_ROUND / 10, (n) => { for (let i = 0; i < n; i++) tracer.startSpan('tick').end(); });
  };
  const pinoLogger = pino({ base: null }, pino.destination({ dest: '/dev/null', sync: true }));

  // One group per library: the garbage OTel leaves behind must not be collected on the SDK's clock.
  const results = {
    ...(await measure({ 'sdk span': sdk.span.hot, 'sdk log': sdk.log.hot, 'sdk measure': sdk.measure.hot })),
    ...(await measure({ 'otel span (batch)': otel('batch'), 'otel span (simple)': otel('simple') })),
    ...(await measure({
      'pino info': () => nsPerOp(OPS_PER_ROUND / 10, (n) => { for (let i = 0; i < n; i++) pinoLogger.info('player moved'); }),
    })),
  };
  await shutdown(1000);

  const seal = { span: sdk.span.seal(), log: sdk.log.seal(), measure: sdk.measure.seal() };
  const total = {
    span: results['sdk span']! + seal.span,
    log: results['sdk log']! + seal.log,
    measure: results['sdk measure']! + seal.measure,
  };
  const otelSpan = results['otel span (batch)']!;
  const pinoLog = results['pino info']!;
  const row = (what: string, hot: number, sealNs: number, totalNs: number, vs: string, other: number | undefined, target: number | undefined) => ({
    'operation': what,
    'hot ns': hot.toFixed(1),
    'seal ns': sealNs.toFixed(1),
    'total ns': totalNs.toFixed(1),
    'compared with': vs,
    'their ns': other?.toFixed(1) ?? '',
    'ratio hot': other === undefined || hot === 0 ? '' : `1/${(other / hot).toFixed(1)}`,
    'ratio total': other === undefined ? '' : `1/${(other / totalNs).toFixed(1)}`,
    'target (on total)': target === undefined ? '' : `≤ 1/${target} ${totalNs * target <= other! ? 'met' : 'NOT met'}`,
  });
  console.log('\nRecording cost per call (median of rounds; span = begin + end)');
  console.table([
    row('span (begin+end)', results['sdk span']!, seal.span, total.span, 'OTel startSpan().end(), BatchSpanProcessor + no-op exporter', otelSpan, 30),
    row('', 0, 0, total.span, 'OTel startSpan().end(), SimpleSpanProcessor + no-op exporter', results['otel span (simple)'], undefined),
    row('log (info, no properties)', results['sdk log']!, seal.log, total.log, 'pino info, sync /dev/null', pinoLog, 20),
    row('measure (float)', results['sdk measure']!, seal.measure, total.measure, '', undefined, undefined),
  ]);
}

async function clockCosts(): Promise<void> {
  const results = await measure(clocks);
  console.log('\nClock sources (ns per read, loop overhead included; the SDK uses performance.now())');
  console.table(Object.entries(results).map(([source, ns]) => ({ source, 'ns/read': ns.toFixed(1) })));
  if (sink === 0.5) console.log(''); // keeps `sink` observable
}

/** Runs the demo's main-thread loop through the SDK into a decoding stub and counts bytes. */
async function wireBytes(stub: StubIngestion, url: string): Promise<void> {
  init({ url, exe: 'bench-demo' });
  const frames = await runGameLoop({ name: 'bench', framesPerSecond: 60, frames: DEMO_SECONDS * 60 });
  await shutdown();
  const byTag = new Map<string, { events: number; payload: number; body: number; blocks: number }>();
  for (const { block, events } of stub.blocks) {
    const stream = stub.streams.find((s) => s.stream_id === block.stream_id);
    if (stream === undefined || !stub.processes.some((p) => p.process_id === block.process_id && p.exe === 'bench-demo')) continue;
    const tag = stream.tags.join(',');
    const t = byTag.get(tag) ?? { events: 0, payload: 0, body: 0, blocks: 0 };
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
  const stub = new StubIngestion();
  const url = await stub.start();
  try {
    await clockCosts();
    stub.failWith = 204; // accept and discard: the recording phase sends far more than is worth decoding
    await recordingCosts(url);
    stub.failWith = undefined;
    await wireBytes(stub, url);
  } finally {
    await stub.stop();
  }
}
