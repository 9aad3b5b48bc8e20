/**
 * The demo's worker thread: joins the main thread's process, runs its own frame loop on its own
 * streams, and on a `stop` message (or after `frames`) flushes and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { init, shutdown } from '@micromegas/tracing';
import { runGameLoop } from './game-loop.js';

export interface DemoWorkerData {
  framesPerSecond: number;
  frames?: number;
  url?: string;
}

const data = workerData as DemoWorkerData;
const stop = new AbortController();
parentPort?.on('message', (message) => {
  if (message === 'stop') stop.abort();
});

init({ threadName: 'demo-worker', ...(data.url !== undefined && { url: data.url }) });
const frames = await runGameLoop({
  name: 'worker',
  framesPerSecond: data.framesPerSecond,
  signal: stop.signal,
  ...(data.frames !== undefined && { frames: data.frames }),
});
const delivered = await shutdown();
parentPort?.postMessage({ frames, delivered });
parentPort?.close();
