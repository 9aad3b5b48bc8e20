import { QueryError } from '../engine.js';
import type { QueryWorker } from './worker-process.js';

/** A worker held for one statement; `release` hands it to the next waiting statement. */
export interface Lease {
  worker: QueryWorker;
  release(): void;
}

interface Slot {
  worker: Promise<QueryWorker> | undefined;
  /** The worker once started, while it runs. */
  live: QueryWorker | undefined;
  load: number;
}

/**
 * Admission to a set of workers: at most `perWorker` statements on each at once, at most `maxQueue`
 * statements waiting (RESOURCE_EXHAUSTED beyond: the client should come back later), first come first
 * served. Workers start on first use and again after one dies.
 */
export class Lane {
  readonly #slots: Slot[];
  #closed = false;
  readonly #queue: { resolve: (slot: Slot) => void; reject: (error: unknown) => void }[] = [];

  constructor(
    readonly name: string,
    private readonly open: () => Promise<QueryWorker>,
    workers: number,
    private readonly perWorker: number,
    private readonly maxQueue: number,
  ) {
    this.#slots = Array.from({ length: workers }, () => ({ worker: undefined, live: undefined, load: 0 }));
  }

  /** Statements waiting for a worker now. */
  get waiting(): number {
    return this.#queue.length;
  }

  async acquire(signal: AbortSignal): Promise<Lease> {
    signal.throwIfAborted();
    // A closed lane starts no worker: one started now would outlive the server's shutdown.
    if (this.#closed) throw new QueryError('cancelled', 'the query engine is closed');
    // A running worker first: a statement should not wait for a process to start when one is ready.
    const free = this.#slots.filter((s) => s.load < this.perWorker);
    let slot = free.find((s) => s.live?.alive) ?? free[0];
    if (slot) slot.load += 1;
    else slot = await this.#wait(signal); // counted by #handOver
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.load -= 1;
      this.#handOver(slot);
    };
    try {
      return { worker: await this.#worker(slot), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Starts every worker now rather than on first use. */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#worker(slot)));
  }

  /** Closes the idle workers (server shutdown: statements have ended). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#queue.splice(0)) waiting.reject(new QueryError('cancelled', 'the query engine is closing'));
    await Promise.all(this.#slots.map(async (slot) => {
      const worker = await slot.worker?.catch(() => undefined);
      slot.worker = undefined;
      slot.live = undefined;
      await worker?.close();
    }));
  }

  #worker(slot: Slot): Promise<QueryWorker> {
    const current = slot.worker;
    const live = current?.then((worker) => (worker.alive ? worker : undefined), () => undefined);
    const opening = (live ?? Promise.resolve(undefined)).then((worker) => worker ?? this.open());
    slot.worker = opening;
    return opening.then((worker) => {
      if (slot.live !== worker) {
        slot.live = worker;
        // A worker that dies (killed, out of memory) is replaced at once, not by the next statement's wait.
        void worker.exited.then(() => {
          if (this.#closed || slot.live !== worker) return;
          slot.live = undefined;
          this.#worker(slot).catch(() => {}); // a failed start is retried by the next statement
        });
      }
      return worker;
    });
  }

  #wait(signal: AbortSignal): Promise<Slot> {
    if (this.#queue.length >= this.maxQueue) {
      throw new QueryError('resource_exhausted',
        `the server is busy: ${this.#slots.length * this.perWorker} ${this.name} statements run and ${this.maxQueue} wait; retry later`);
    }
    return new Promise<Slot>((resolve, reject) => {
      const abort = () => {
        const index = this.#queue.indexOf(waiting);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal.reason);
      };
      const waiting = {
        resolve: (slot: Slot) => {
          signal.removeEventListener('abort', abort);
          resolve(slot);
        },
        reject,
      };
      signal.addEventListener('abort', abort, { once: true });
      this.#queue.push(waiting);
    });
  }

  #handOver(slot: Slot): void {
    if (slot.load >= this.perWorker) return;
    const next = this.#queue.shift();
    if (next === undefined) return;
    slot.load += 1; // now, not when the waiter resumes: a statement arriving meanwhile must not take it too
    next.resolve(slot);
  }
}
