/**
 * The recording thread's side of its sink worker: starts it (unref'd: it never keeps the app
 * alive), posts it slabs, and waits for it only when asked to (`flush()`, `shutdown()`).
 */
import { Worker } from 'node:worker_threads';
import type { BlockMessage, SinkInit, SinkMessage } from './sink.js';
import type { SinkReply } from './sink-worker.js';
import { CTL_PROCESSED } from './slab-pool.js';

/** Past a shutdown's deadline, how long the worker gets to answer before it is stopped. */
const SHUTDOWN_GRACE_MS = 1000;

export class SinkClient {
  private readonly worker: Worker;
  private readonly ctl: Int32Array;
  /** Slabs posted so far; the worker counts those it processed in ctl[CTL_PROCESSED]. */
  private posted = 0;
  /** Set once the worker is gone: nothing posted after that can be delivered. */
  dead = false;
  /** The slabs handed over inside `together`, posted as one message when it ends. */
  private gathered: BlockMessage[] | undefined;

  constructor(init: SinkInit) {
    this.ctl = new Int32Array(init.ctl);
    // No execArgv of the app (loaders, --input-type): the worker is plain compiled JavaScript.
    this.worker = new Worker(new URL('./sink-worker.js', import.meta.url), { workerData: init, execArgv: [] });
    this.worker.unref();
    this.worker.on('error', () => {
      this.dead = true;
    });
    this.worker.on('exit', () => {
      this.dead = true;
    });
  }

  post(message: SinkMessage): void {
    if (typeof message === 'number' || message.t === 'block') {
      this.posted++;
      if (this.gathered !== undefined) {
        this.gathered.push(message);
        return;
      }
    }
    this.worker.postMessage(message);
  }

  /** Runs `handOver`, posting the slabs it hands over as one message: the worker sends their blocks in one request. */
  together<T>(handOver: () => T): T {
    this.gathered = [];
    try {
      return handOver();
    } finally {
      const blocks = this.gathered;
      this.gathered = undefined;
      if (blocks.length > 0) this.worker.postMessage(blocks.length === 1 ? blocks[0] : { t: 'blocks', blocks } satisfies SinkMessage);
    }
  }

  /** Blocks this thread until the worker has processed every slab posted, or `timeoutMs` passed. */
  waitProcessed(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const processed = Atomics.load(this.ctl, CTL_PROCESSED);
      if (processed >= this.posted) return true;
      const left = deadline - Date.now();
      if (this.dead || left <= 0) return false;
      Atomics.wait(this.ctl, CTL_PROCESSED, processed, left);
    }
  }

  /** Asks the worker to deliver what is left by `deadline`; resolves to whether it did. */
  shutdown(deadline: number): Promise<boolean> {
    if (this.dead) return Promise.resolve(false);
    // A pending shutdown keeps the process alive until the worker answers.
    this.worker.ref();
    return new Promise<boolean>((resolve) => {
      const finish = (delivered: boolean): void => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('exit', onExit);
        void this.worker.terminate();
        resolve(delivered);
      };
      const onMessage = (reply: SinkReply): void => finish(reply.delivered);
      const onExit = (): void => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()) + SHUTDOWN_GRACE_MS);
      this.worker.on('message', onMessage);
      this.worker.on('exit', onExit);
      this.post({ t: 'shutdown', deadline });
    });
  }
}
