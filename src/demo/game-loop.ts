/**
 * A game-like frame loop instrumented with the SDK: nested thread spans per frame, measures every
 * frame, logs now and then, and an async span for a simulated asset load. Runs in the main thread
 * and in the demo worker alike; the frame work is a small deterministic computation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncSpanScope, floatMetric, intMetric, logger, spanScope } from '@micromegas/tracing';

const frameSpan = spanScope('frame', { target: 'demo.game' });
const updateSpan = spanScope('update', { target: 'demo.game' });
const physicsSpan = spanScope('physics', { target: 'demo.game' });
const aiSpan = spanScope('ai', { target: 'demo.game' });
const renderSpan = spanScope('render', { target: 'demo.game' });
const loadAsset = asyncSpanScope('load_asset', { target: 'demo.assets' });
const frameTime = floatMetric('frame_time', 'ms', 'demo.game');
const entityCount = intMetric('entities', 'count', 'demo.game');
const log = logger('demo.game');

export interface LoopOptions {
  /** Name of the loop in logs (`main`, `worker`). */
  name: string;
  framesPerSecond: number;
  /** Stop after this many frames (default: until aborted). */
  frames?: number;
  signal?: AbortSignal;
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

async function load(asset: number): Promise<void> {
  await loadAsset.run(async () => {
    await sleep(2);
    log.debug('asset loaded', { asset: `texture-${asset}` });
  });
}

/** Resolves to the number of frames run. */
export async function runGameLoop(options: LoopOptions): Promise<number> {
  const periodMs = 1000 / options.framesPerSecond;
  const start = performance.now();
  let entities = 100;
  let index = 0;
  log.info(`${options.name} loop starting`, { fps: options.framesPerSecond });
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
    if (index % 30 === 0) void load(index);
    const next = start + (index + 1) * periodMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  // Let in-flight asset loads finish so their async spans close.
  await sleep(5);
  log.info(`${options.name} loop stopped`, { frames: index });
  return index;
}
