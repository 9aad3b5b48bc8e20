/**
 * The server's query engine when statements run in worker processes (./worker-main.ts). What it bounds:
 *
 * - memory: each worker runs under RLIMIT_DATA (DuckDB's memory_limit plus headroom), and heavy
 *   workers run one statement each, so a statement over the bound fails alone (DuckDB reports the
 *   failed allocation, or the worker dies and is replaced) and the server's memory is bounded by
 *   (workers + 1) × that bound;
 * - time: past the statement timeout a statement is interrupted, and its worker killed when the
 *   interrupt does not stop it (a single huge allocation or string function never checks it);
 * - admission: `concurrency` heavy statements run at once, `maxQueue` wait, more are refused
 *   (RESOURCE_EXHAUSTED); statements that read no table (`SELECT 1`, a client's probe) and schema
 *   requests (planning, no scan) take an express worker, so they keep answering while heavy ones queue
 *   (with a timeout of at most 10 s there).
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { QueryError, type QueryEngine, type QueryOptions, type QueryResult } from '../engine.js';
import type { SpillOptions } from '../../lake/spill-dirs.js';
import type { ViewCatalog, ViewSetInfo } from '../../views/catalog.js';
import { Lane, type Lease } from './lane.js';
import { LightStatements } from './light-statements.js';
import { schemaBytes, type WireOptions, type WireViewSet, type WorkerInit } from './protocol.js';
import { QueryWorker, type WorkerStatement } from './worker-process.js';

export interface QueryLimits {
  /** DuckDB memory_limit of each heavy worker: what one statement may use (e.g. '2GB'). */
  memoryLimit: string;
  /** Heavy statements running at once, each in a worker of its own. */
  concurrency: number;
  /** Statements waiting for a worker; beyond, RESOURCE_EXHAUSTED. */
  maxQueue: number;
  /** A statement (waiting, running and streaming) ends DEADLINE_EXCEEDED after this long. */
  timeoutMs: number;
}

export interface WorkerEngineConfig {
  catalog: ViewCatalog;
  allowedDirs: readonly string[];
  limits: QueryLimits;
  threads?: number | undefined;
  spill?: SpillOptions | undefined;
  adminFunctions?: boolean;
  /** Whether aggregates may read summaries (../rewrite/rollup.ts; default true). */
  rollups?: boolean;
  /** Start every worker before answering (the first statements then wait for no process start); default: on first use. */
  startWorkers?: boolean;
}

/**
 * The express worker: small statements, several at once, a small memory bound and a short timeout of
 * its own, so that a few slow statements without a table cannot hold it for long.
 */
const EXPRESS = { memoryLimit: '256MB', statements: 4, maxQueue: 64, timeoutMs: 10_000 };
/** How long an interrupted statement has to stop before its worker is killed. */
const KILL_GRACE_MS = 1000;
/** Memory a worker uses beyond DuckDB's memory_limit: Node, result conversion, strings DuckDB does not count. */
const MIN_HEADROOM_BYTES = 512 * 1024 ** 2;

export async function createWorkerEngine(config: WorkerEngineConfig): Promise<QueryEngine> {
  const engine = new WorkerQueryEngine(config, await LightStatements.open());
  if (config.startWorkers) {
    try {
      await engine.start();
    } catch (error) {
      await engine.close();
      throw error;
    }
  }
  return engine;
}

class WorkerQueryEngine implements QueryEngine {
  readonly #heavy: Lane;
  readonly #express: Lane;
  readonly #wireSets = new WeakMap<ViewSetInfo, WireViewSet>();

  constructor(private readonly config: WorkerEngineConfig, private readonly light: LightStatements) {
    const { limits } = config;
    const start = (memoryLimit: string) => () => {
      const init: WorkerInit = {
        type: 'init', allowedDirs: [...config.allowedDirs], memoryLimit, threads: config.threads, spill: config.spill,
        adminFunctions: config.adminFunctions ?? true, rollups: config.rollups ?? true,
      };
      return QueryWorker.start(init, config.catalog, dataBound(memoryLimit));
    };
    this.#heavy = new Lane('heavy', start(limits.memoryLimit), limits.concurrency, 1, limits.maxQueue);
    this.#express = new Lane('express', start(EXPRESS.memoryLimit), 1, EXPRESS.statements, EXPRESS.maxQueue);
  }

  async schema(sql: string, options: QueryOptions = {}): Promise<Schema> {
    const run = await this.#start('schema', sql, options, this.#express, this.#expressTimeoutMs);
    try {
      return await run.statement.schema();
    } catch (error) {
      throw run.explain(error);
    }
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const light = await this.light.isLight(sql);
    const run = light
      ? await this.#start('query', sql, options, this.#express, this.#expressTimeoutMs)
      : await this.#start('query', sql, options, this.#heavy, this.config.limits.timeoutMs);
    try {
      const schema = await run.statement.schema();
      return { schema, batches: explained(run.statement.batches(), run.explain) };
    } catch (error) {
      run.statement.cancel();
      throw run.explain(error);
    }
  }

  async start(): Promise<void> {
    await Promise.all([this.#heavy.start(), this.#express.start()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.#heavy.close(), this.#express.close()]);
    this.light.close();
  }

  get #expressTimeoutMs(): number {
    return Math.min(this.config.limits.timeoutMs, EXPRESS.timeoutMs);
  }

  /** Waits for a worker of `lane` within the deadline, starts the statement, and watches it until it ends. */
  async #start(type: 'schema' | 'query', sql: string, options: QueryOptions, lane: Lane, timeoutMs: number) {
    const deadline = new Deadline(timeoutMs, options.signal);
    const explain = (error: unknown) => deadline.explain(error, sql);
    let lease: Lease;
    try {
      lease = await lane.acquire(deadline.signal);
    } catch (error) {
      deadline.clear();
      throw explain(error);
    }
    const statement = lease.worker.run(type, sql, this.#wire(options), this.#viewSets());
    watch(statement, lease, deadline);
    return { statement, explain };
  }

  #wire(options: QueryOptions): WireOptions {
    return {
      range: options.range ?? {},
      preserveDictionary: options.preserveDictionary ?? false,
      allowAdmin: options.allowAdmin ?? true,
    };
  }

  #viewSets(): WireViewSet[] {
    return this.config.catalog.viewSets().map((set) => {
      let wire = this.#wireSets.get(set);
      if (wire === undefined) {
        wire = { ...set, schema: schemaBytes(set.schema) };
        this.#wireSets.set(set, wire);
      }
      return wire;
    });
  }
}

/**
 * On abort (the client's cancellation or the timeout), interrupts the statement, then kills its
 * worker if it has not stopped within a grace period; releases the worker once the statement ends.
 */
function watch(statement: WorkerStatement, lease: Lease, deadline: Deadline): void {
  let grace: NodeJS.Timeout | undefined;
  const stop = () => {
    statement.cancel();
    grace = setTimeout(() => {
      if (!statement.finished) lease.worker.kill(deadline.stopReason());
    }, KILL_GRACE_MS);
  };
  if (deadline.signal.aborted) stop();
  else deadline.signal.addEventListener('abort', stop, { once: true });
  void statement.done.then(() => {
    deadline.signal.removeEventListener('abort', stop);
    clearTimeout(grace);
    deadline.clear();
    lease.release();
  });
}

/** A statement's end: the caller's signal or the statement timeout, whichever aborts first. */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #timedOut = false;
  readonly #onCallerAbort = () => this.#controller.abort(this.stopReason());

  constructor(private readonly timeoutMs: number, private readonly caller: AbortSignal | undefined) {
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(this.#timeoutError());
    }, timeoutMs);
    this.#timer.unref();
    if (caller?.aborted) this.#onCallerAbort();
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.caller?.removeEventListener('abort', this.#onCallerAbort);
  }

  /** A failure as the caller should see it: past the deadline, whatever ended the statement is the timeout. */
  explain(error: unknown, sql: string | undefined): unknown {
    if (this.#timedOut) return new QueryError('deadline_exceeded', this.#timeoutError().message, sql, { cause: error });
    return error;
  }

  /** Why the statement was stopped: the timeout, or the caller's cancellation. */
  stopReason(): QueryError {
    return this.#timedOut ? this.#timeoutError() : new QueryError('cancelled', 'the query was cancelled');
  }

  #timeoutError(): QueryError {
    return new QueryError('deadline_exceeded', `the statement ran past the server's statement timeout (${this.timeoutMs / 1000} s)`);
  }
}

async function* explained(batches: AsyncGenerator<RecordBatch>, explain: (error: unknown) => unknown): AsyncGenerator<RecordBatch> {
  try {
    yield* batches;
  } catch (error) {
    throw explain(error);
  }
}

/** The data-segment bound of a worker whose DuckDB may use `memoryLimit`. */
function dataBound(memoryLimit: string): number {
  const bytes = sizeBytes(memoryLimit);
  return bytes + Math.max(MIN_HEADROOM_BYTES, Math.round(bytes / 2));
}

const UNITS: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** Bytes of a size written as DuckDB takes it ('2GB', '512MiB'). */
export function sizeBytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B)$/i.exec(size.trim());
  if (!match) throw new QueryError('invalid_argument', `not a size: '${size}' (expected e.g. 2GB or 512MiB)`);
  return Math.round(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
}
