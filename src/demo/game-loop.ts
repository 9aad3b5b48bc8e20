/**
 * A game-like frame loop instrumented with the SDK: a level load, nested thread spans per frame,
 * measures every frame, logs now and then (some as JSON), and simulated asset loads as nested async
 * spans, some failing. Runs in the main thread and in the demo worker alike; the main thread also
 * samples the process's CPU and memory. The frame work is a small deterministic computation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncSpanScope, floatMetric, intMetric, logger, spanScope } from '@micromegas/tracing';

const frameSpan = spanScope('frame', { target: 'demo.game' });
const updateSpan = spanScope('update', { target: 'demo.game' });
const physicsSpan = spanScope('physics', { target: 'demo.game' });
const aiSpan = spanScope('ai', { target: 'demo.game' });
const renderSpan = spanScope('render', { target: 'demo.game' });
const loadLevelSpan = spanScope('load_level', { target: 'demo.game' });
const loadAsset = asyncSpanScope('load_asset', { target: 'demo.assets' });
const readFile = asyncSpanScope('read_file', { target: 'demo.assets' });
const decompress = asyncSpanScope('decompress', { target: 'demo.assets' });
const uploadTexture = asyncSpanScope('upload_texture', { target: 'demo.assets' });
const frameTime = floatMetric('frame_time', 'ms', 'demo.game');
const entityCount = intMetric('entities', 'count', 'demo.game');
const cpuUsage = floatMetric('cpu_usage', 'percent', 'demo.system');
const memoryUsage = intMetric('memory_usage', 'bytes', 'demo.system');
const log = logger('demo.game');
const assetLog = logger('demo.assets');

export interface LoopOptions {
  /** Name of the loop in logs (`main`, `worker`). */
  name: string;
  framesPerSecond: number;
  /** Stop after this many frames (default: until aborted). */
  frames?: number;
  signal?: AbortSignal;
  /** Sample the process's CPU and memory once a second (one loop of the process does). */
  monitor?: boolean;
}

/** Burns a little CPU so spans have a measurable duration. */
function work(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x += Math.sqrt(i * 1.5);
  return x;
}

function frame(index: number, entities: number): void {
  frameSpan.begin();
  updateSpan.begin();
  physicsSpan.run(() => work(200 + (index % 7) * 50));
  aiSpan.run(() => work(100 + entities));
  updateSpan.end();
  renderSpan.run(() => work(300));
  frameSpan.end();
}

/** Busy for at least `ms`: loading a level takes a while. */
function loadLevel(ms: number): void {
  loadLevelSpan.run(() => {
    const until = performance.now() + ms;
    while (performance.now() < until) work(1000);
  });
}

/** An asset load: read, decompress, upload, each awaited; one in four fails. */
async function load(asset: number): Promise<void> {
  const started = performance.now();
  await loadAsset.run(async () => {
    await readFile.run(async () => {
      await sleep(1);
      await decompress.run(async () => {
        await sleep(1);
        await uploadTexture.run(() => sleep(1));
      });
    });
  });
  if (asset % 4 === 3) assetLog.error('asset failed to load', { asset: `texture-${asset}` });
  else log.debug('asset loaded', { asset: `texture-${asset}` });
  // Structured logs as some services write them: a JSON message.
  assetLog.debug(JSON.stringify({ service: 'asset-cache', asset: `texture-${asset}`, response_time: performance.now() - started }));
}

/** CPU use of the process since the previous sample, in percent of one core, and its resident memory. */
function sampler(): () => void {
  let last = { at: performance.now(), cpu: process.cpuUsage() };
  return () => {
    const now = { at: performance.now(), cpu: process.cpuUsage() };
    const usedUs = now.cpu.user - last.cpu.user + now.cpu.system - last.cpu.system;
    cpuUsage.record((usedUs / 1000 / Math.max(now.at - last.at, 1)) * 100, { source: 'system_monitor' });
    memoryUsage.record(process.memoryUsage().rss, { source: 'system_monitor' });
    last = now;
  };
}

/** Resolves to the number of frames run. */
export async function runGameLoop(options: LoopOptions): Promise<number> {
  const periodMs = 1000 / options.framesPerSecond;
  const start = performance.now();
  let entities = 100;
  let index = 0;
  const sample = options.monitor ? sampler() : undefined;
  log.info(`${options.name} loop starting`, { fps: options.framesPerSecond });
  log.info(JSON.stringify({ service: 'demo-game', loop: options.name, port: 7777, cpu_limit: 0.75 }));
  loadLevel(15);
  log.info('level loaded');
  for (; options.frames === undefined || index < options.frames; index++) {
    if (options.signal?.aborted) break;
    const t0 = performance.now();
    frame(index, entities);
    const elapsed = performance.now() - t0;
    frameTime.record(elapsed);
    entities += (index % 3) - 1;
    entityCount.record(entities);
    if (index % 60 === 0) log.info(`${options.name} frame ${index}`, { entities });
    if (elapsed > periodMs) log.warn('frame over budget', { frame: index, ms: elapsed.toFixed(3) });
    if (index % 30 === 0) void load(index / 30);
    if (sample && index % options.framesPerSecond === 0) sample();
    const next = start + (index + 1) * periodMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  // Let in-flight asset loads finish so their async spans close.
  await sleep(20);
  log.info(`${options.name} loop stopped`, { frames: index });
  return index;
}
