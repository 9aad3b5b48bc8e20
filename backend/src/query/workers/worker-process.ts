/**
 * The server's side of one query worker process: spawning it under an operating-system bound of its
 * data segment, running statements on it (schema, then batches one at a time as they are consumed),
 * answering its catalog calls, and failing what it ran when it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RecordBatch, Schema } from 'apache-arrow';
import { QueryError } from '../engine.js';
import type { ViewCatalog } from '../../views/catalog.js';
import {
  fromWireError, readBatch, readSchema, toWireError, type FromWorker, type ToWorker, type WireOptions, type WireViewSet,
  type WorkerInit,
} from './protocol.js';

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** What the worker may ask of the server's catalog: nothing else is run. */
const CATALOG_METHODS = new Set<string>(['partitionsFor', 'listPartitions', 'materializePartitions', 'retirePartitions', 'threadStreams', 'readBlock']);

/** One statement running on a worker, as its events arrive. */
export class WorkerStatement {
  readonly #events: FromWorker[] = [];
  #resolveDone: () => void = () => {};
  /** Resolves once the worker has let the statement go (ended, failed, or died). */
  readonly done = new Promise<void>((resolve) => { this.#resolveDone = resolve; });
  #wake: (() => void) | undefined;
  #failure: Error | undefined;
  #finished = false;

  constructor(readonly id: number, private readonly worker: QueryWorker) {}

  /** The schema the worker reported first; rejects with the statement's error. */
  async schema(): Promise<Schema> {
    const event = await this.#next();
    if (event?.type !== 'schema') throw this.#failure ?? new QueryError('internal', 'query worker ended the statement without a schema');
    return readSchema(event.schema);
  }

  /** The batches, asking the worker for each next one only once the previous one is taken. */
  async *batches(): AsyncGenerator<RecordBatch> {
    try {
      for (;;) {
        const event = await this.#next();
        if (event === undefined) {
          if (this.#failure) throw this.#failure;
          return;
        }
        if (event.type === 'batch') {
          const batch = readBatch(event.batch);
          this.worker.send({ type: 'more', id: this.id });
          yield batch;
        }
      }
    } finally {
      if (!this.#finished) this.cancel();
    }
  }

  cancel(): void {
    if (!this.#finished) this.worker.send({ type: 'cancel', id: this.id });
  }

  get finished(): boolean {
    return this.#finished;
  }

  deliver(event: FromWorker): void {
    if (event.type === 'end' || event.type === 'error') {
      if (event.type === 'error') this.#failure = fromWireError(event.error);
      this.#finish();
    } else {
      this.#events.push(event);
    }
    this.#wake?.();
  }

  fail(error: Error): void {
    if (this.#finished) return;
    this.#failure = error;
    this.#finish();
    this.#wake?.();
  }

  #finish(): void {
    this.#finished = true;
    this.#resolveDone();
  }

  async #next(): Promise<FromWorker | undefined> {
    for (;;) {
      const event = this.#events.shift();
      if (event !== undefined) return event;
      if (this.#finished) return undefined;
      await new Promise<void>((resolve) => { this.#wake = resolve; });
      this.#wake = undefined;
    }
  }
}

export class QueryWorker {
  readonly #statements = new Map<number, WorkerStatement>();
  #nextId = 0;
  #exited = false;
  #onExit: () => void = () => {};
  /** Resolves when the process has ended, whatever ended it. */
  readonly exited = new Promise<void>((resolve) => { this.#onExit = resolve; });
  /** Why the worker was killed, when the server killed it: what its statements fail with. */
  #killedFor: Error | undefined;

  private constructor(private readonly child: ChildProcess, private readonly catalog: ViewCatalog, private readonly dataBytes: number) {}

  /**
   * Spawns a worker whose data segment (heap, and every private mapping on Linux) may not exceed
   * `dataBytes`; resolves once its engine is open.
   */
  static start(init: WorkerInit, catalog: ViewCatalog, dataBytes: number): Promise<QueryWorker> {
    const kib = String(Math.ceil(dataBytes / 1024));
    // A shell sets the bound, then becomes the worker (exec): the IPC channel's descriptor carries over.
    // The environment stays behind: the server's secrets (keys, connection strings) are none of the worker's business.
    const child = spawn('/bin/sh', ['-c', 'ulimit -d "$0" && exec "$1" "$2"', kib, process.execPath, WORKER_MAIN], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    const worker = new QueryWorker(child, catalog, dataBytes);
    return new Promise((resolve, reject) => {
      const failed = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(new QueryError('internal', `query worker could not start (exit ${signal ?? code})`));
      child.once('exit', failed);
      child.once('error', (error) => reject(new QueryError('internal', `query worker could not start: ${error.message}`)));
      child.on('message', (message: FromWorker) => {
        if (message.type !== 'ready') return worker.#receive(message);
        child.off('exit', failed);
        child.on('exit', (code, signal) => worker.#exit(code, signal));
        resolve(worker);
      });
      child.send(init satisfies ToWorker);
    });
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Statements running now. */
  get load(): number {
    return this.#statements.size;
  }

  run(type: 'schema' | 'query', sql: string, options: WireOptions, viewSets: WireViewSet[]): WorkerStatement {
    if (this.#exited) throw new QueryError('internal', 'query worker has exited');
    this.#nextId += 1;
    const statement = new WorkerStatement(this.#nextId, this);
    this.#statements.set(statement.id, statement);
    void statement.done.then(() => this.#statements.delete(statement.id));
    this.send({ type, id: statement.id, sql, options, viewSets });
    return statement;
  }

  send(message: ToWorker): void {
    if (!this.#exited && this.child.connected) this.child.send(message);
  }

  /** Ends the worker at once (a statement that ignores its interrupt); its statements fail with `reason`. */
  kill(reason: Error): void {
    this.#killedFor ??= reason;
    this.child.kill('SIGKILL');
  }

  /** Ends an idle worker (server shutdown). */
  close(): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
      setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    });
  }

  #receive(message: FromWorker): void {
    if (message.type === 'call') return void this.#answer(message.call, message.method, message.args);
    if (message.type === 'ready') return;
    this.#statements.get(message.id)?.deliver(message);
  }

  async #answer(call: number, method: string, args: unknown[]): Promise<void> {
    try {
      if (!CATALOG_METHODS.has(method)) throw new QueryError('internal', `query worker called unknown catalog method '${method}'`);
      const fn = (this.catalog as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
      this.send({ type: 'answer', call, value: await fn.apply(this.catalog, args) });
    } catch (error) {
      this.send({ type: 'answer', call, error: toWireError(error) });
    }
  }

  #exit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exited = true;
    this.#onExit();
    const error = this.#killedFor ?? new QueryError('internal',
      `the query worker ended (${signal ?? `exit ${code}`}) while running the statement: it may have gone over its memory bound ` +
      `(${Math.round(this.dataBytes / 1024 / 1024)} MiB)`);
    for (const statement of this.#statements.values()) statement.fail(error);
  }
}
