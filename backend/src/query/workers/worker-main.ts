/**
 * A query worker process: one locked-down DuckDB engine (./../duckdb-engine.ts) running the statements
 * the server sends, over the server's catalog (./remote-catalog.ts). It runs under an operating-system
 * bound of its data segment (RLIMIT_DATA, set by the server when it spawns the worker), so a statement
 * that allocates without DuckDB's memory_limit noticing (repeat('x', 2^31 - 1) builds its string outside
 * it) fails its allocation here, or at worst ends this process, never the server.
 */
import type { RecordBatch } from 'apache-arrow';
import { createQueryEngine } from '../duckdb-engine.js';
import { QueryError, type QueryEngine, type QueryOptions } from '../engine.js';
import {
  batchBytes, fromWireError, readSchema, schemaBytes, toWireError, type FromWorker, type ToWorker, type WireOptions, type WorkerInit,
} from './protocol.js';
import { RemoteCatalog } from './remote-catalog.js';

const send = (message: FromWorker) => process.send!(message);

/** Catalog calls waiting for the server's answer. */
const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCall = 0;
const catalog = new RemoteCatalog((method, args) => new Promise((resolve, reject) => {
  nextCall += 1;
  calls.set(nextCall, { resolve, reject });
  send({ type: 'call', call: nextCall, method, args });
}));

/** Running statements: their cancellation and the credit that lets the next batch go. */
const running = new Map<number, { abort: AbortController; more?: () => void }>();

let engine: Promise<QueryEngine> | undefined;

function open(init: WorkerInit): Promise<QueryEngine> {
  return createQueryEngine({
    catalog, allowedDirs: init.allowedDirs, memoryLimit: init.memoryLimit, adminFunctions: init.adminFunctions, rollups: init.rollups,
    ...(init.threads ? { threads: init.threads } : {}), ...(init.spill ? { spill: init.spill } : {}),
  });
}

function queryOptions(wire: WireOptions, signal: AbortSignal): QueryOptions {
  return { range: wire.range, preserveDictionary: wire.preserveDictionary, allowAdmin: wire.allowAdmin, signal };
}

async function serve(message: Extract<ToWorker, { type: 'schema' | 'query' }>): Promise<void> {
  const { id } = message;
  const state: { abort: AbortController; more?: () => void } = { abort: new AbortController() };
  running.set(id, state);
  try {
    catalog.update(message.viewSets.map((set) => ({ ...set, schema: readSchema(set.schema) })));
    const options = queryOptions(message.options, state.abort.signal);
    const queries = await engine!;
    if (message.type === 'schema') {
      send({ type: 'schema', id, schema: schemaBytes(await queries.schema(message.sql, options)) });
      send({ type: 'end', id });
      return;
    }
    const result = await queries.query(message.sql, options);
    send({ type: 'schema', id, schema: schemaBytes(result.schema) });
    for await (const batch of result.batches) {
      await credit(state, id, batch);
      if (state.abort.signal.aborted) break; // leaving the loop closes the engine's stream
    }
    // Given up while waiting for the server to take a batch: fails as an interrupted statement does.
    if (state.abort.signal.aborted) throw new QueryError('cancelled', 'the query was cancelled');
    send({ type: 'end', id });
  } catch (error) {
    send({ type: 'error', id, error: toWireError(error) });
  } finally {
    running.delete(id);
  }
}

/** Sends a batch, then waits until the server asks for the next one (or gives the statement up). */
function credit(state: { abort: AbortController; more?: () => void }, id: number, batch: RecordBatch): Promise<void> {
  const { signal } = state.abort;
  return new Promise((resolve) => {
    const go = () => {
      signal.removeEventListener('abort', go);
      resolve();
    };
    state.more = go;
    signal.addEventListener('abort', go);
    send({ type: 'batch', id, batch: batchBytes(batch) });
  });
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      engine = open(message);
      engine.then(() => send({ type: 'ready' }), (error: unknown) => {
        console.error(`query worker: cannot open its engine: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      });
      return;
    case 'schema':
    case 'query':
      void serve(message);
      return;
    case 'more':
      running.get(message.id)?.more?.();
      return;
    case 'cancel':
      running.get(message.id)?.abort.abort();
      return;
    case 'answer': {
      const waiting = calls.get(message.call);
      calls.delete(message.call);
      if (message.error) waiting?.reject(fromWireError(message.error));
      else waiting?.resolve(message.value);
      return;
    }
  }
});

// The server going away (its IPC channel closes) ends the worker: nothing else would.
process.on('disconnect', () => {
  void engine?.then((e) => e.close()).finally(() => process.exit(0));
});
