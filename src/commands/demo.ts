import { Worker } from 'node:worker_threads';
import { init, shutdown, sinkStats, processId } from '@micromegas/tracing';
import { parseOptions, UsageError, type Command } from '../command.js';
import { runGameLoop } from '../demo/game-loop.js';
import type { DemoWorkerData } from '../demo/worker.js';

const FPS = 60;

function parse(args: string[]): { duration: number | undefined; url: string | undefined } {
  const values = parseOptions(args, { duration: { type: 'string' }, url: { type: 'string' } });
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0)) throw new UsageError(`--duration must be a positive number of seconds, got '${values.duration}'`);
  return { duration, url: values.url };
}

/** Resolves with the worker's report once it has flushed and exited. */
function runWorker(worker: Worker): Promise<{ frames: number; delivered: boolean }> {
  return new Promise((resolve, reject) => {
    let report = { frames: 0, delivered: false };
    worker.on('message', (message: typeof report) => (report = message));
    worker.on('error', reject);
    worker.on('exit', () => resolve(report));
  });
}

export const command: Command = {
  summary: 'run an instrumented game-like loop (main thread + worker) sending telemetry to ingestion',
  usage: 'micromegas demo [--duration <seconds>] [--url <ingestion url>]  (default: until Ctrl-C; url: $MICROMEGAS_TELEMETRY_URL)',
  async run(args) {
    const { duration, url } = parse(args);
    init({ exe: 'micromegas-demo', properties: { demo: 'game-loop' }, ...(url !== undefined && { url }) });
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = duration === undefined ? undefined : setTimeout(onSignal, duration * 1000);

    const workerData: DemoWorkerData = { framesPerSecond: FPS, ...(url !== undefined && { url }) };
    const worker = new Worker(new URL('../demo/worker.js', import.meta.url), { workerData });
    const workerDone = runWorker(worker);
    console.log(`micromegas demo: process ${processId()} sending to ${url ?? process.env['MICROMEGAS_TELEMETRY_URL'] ?? 'http://127.0.0.1:9000'}; Ctrl-C to stop`);

    const frames = await runGameLoop({ name: 'main', framesPerSecond: FPS, signal: stop.signal, monitor: true });
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    worker.postMessage('stop');
    const workerReport = await workerDone;
    const stats = sinkStats();
    const delivered = await shutdown();
    console.log(
      `micromegas demo: ${frames} frames (worker: ${workerReport.frames}); ` +
        (delivered && workerReport.delivered
          ? `all telemetry delivered (${(stats?.sent ?? 0)} requests before the final flush)`
          : 'some telemetry could not be delivered (is ingestion running?)'),
    );
    return delivered && workerReport.delivered ? 0 : 1;
  },
};
