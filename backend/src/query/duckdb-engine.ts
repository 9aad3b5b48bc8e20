import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch, Schema } from 'apache-arrow';
import { claimSpillDir, type SpillDir, type SpillOptions } from '../lake/spill-dirs.js';
import type { ViewCatalog, ViewSetInfo } from '../views/catalog.js';
import { ColumnHints } from './arrow/column-hints.js';
import { arrowSchema, recordBatches } from './arrow/record-batches.js';
import type { QueryEngine, QueryOptions, QueryResult } from './engine.js';
import { toQueryError } from './errors.js';
import { openLockedDuckDB, type LockdownOptions } from './lockdown.js';
import { resultChunks } from './result-chunks.js';
import type { SourceContext } from './rewrite/context.js';
import { FunctionKinds } from './rewrite/function-kinds.js';
import { rewriteQuery } from './rewrite/rewrite.js';
import { loadTemplates, type Templates } from './rewrite/templates.js';
import { ParseCache } from './sql/parse-cache.js';

export interface QueryEngineConfig extends Partial<Omit<LockdownOptions, 'allowedDirs' | 'spill'>> {
  catalog: ViewCatalog;
  /** Directories partition files live in (the lake's local cache); queries can read nothing else. */
  allowedDirs: readonly string[];
  /** Where the engine spills (a folder of its own is claimed under the root); no spilling without. */
  spill?: SpillOptions;
  /** Whether materialize_partitions() / retire_partitions() may run (default true). */
  adminFunctions?: boolean;
  /** Whether aggregates over measures and log_entries may read measure_stats and log_stats (rewrite/rollup.ts; default true). */
  rollups?: boolean;
}

/**
 * The SQL engine: DuckDB, locked down, over the lake's view sets. Each query gets its own DuckDB
 * connection (queries run concurrently), is rewritten over the catalog, and streams Arrow batches.
 */
export async function createQueryEngine(config: QueryEngineConfig): Promise<QueryEngine> {
  const spill = config.spill ? await claimSpillDir(config.spill, 'query') : undefined;
  try {
    const instance = await openLockedDuckDB({
      allowedDirs: config.allowedDirs,
      memoryLimit: config.memoryLimit ?? '2GB',
      threads: config.threads,
      spill,
    });
    const templates = await withConnection(instance, loadTemplates);
    return new DuckDBQueryEngine(instance, config, templates, spill);
  } catch (err) {
    await spill?.remove();
    throw err;
  }
}

class DuckDBQueryEngine implements QueryEngine {
  private readonly parseCache = new ParseCache();
  private readonly functionKinds = new FunctionKinds();

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly config: QueryEngineConfig,
    private readonly templates: Templates,
    private readonly spill: SpillDir | undefined,
  ) {}

  async schema(sql: string, options: QueryOptions = {}): Promise<Schema> {
    return withConnection(this.instance, async (connection) => {
      let planned = sql;
      try {
        const context = this.context(connection, options, true);
        planned = await rewriteQuery(sql, context, this.templates);
        const prepared = await connection.prepare(planned);
        const columns = Array.from({ length: prepared.columnCount }, (_, i) => i);
        return arrowSchema(columns.map((i) => prepared.columnName(i)), columns.map((i) => prepared.columnType(i)),
          context.columnHints, options.preserveDictionary ?? false);
      } catch (error) {
        throw toQueryError(error, sql, planned !== sql);
      }
    });
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const connection = await this.instance.connect();
    const stopInterrupting = interruptOnAbort(connection, options.signal);
    const release = () => {
      stopInterrupting();
      connection.closeSync();
    };
    let planned = sql;
    try {
      options.signal?.throwIfAborted();
      const context = this.context(connection, options, false);
      planned = await rewriteQuery(sql, context, this.templates);
      const result = await connection.stream(planned);
      options.signal?.throwIfAborted(); // aborted while a short query ran to the end anyway
      const types = result.columnTypes();
      const schema = arrowSchema(result.columnNames(), types, context.columnHints, options.preserveDictionary ?? false);
      const fail = (error: unknown) => toQueryError(error, sql, planned !== sql);
      return { schema, batches: guarded(recordBatches(resultChunks(result, options.signal), schema, types), fail, release) };
    } catch (error) {
      release();
      throw toQueryError(error, sql, planned !== sql);
    }
  }

  async close(): Promise<void> {
    this.instance.closeSync();
    await this.spill?.remove();
  }

  private context(connection: DuckDBConnection, options: QueryOptions, planOnly: boolean): SourceContext {
    const viewSets = new Map<string, ViewSetInfo>(this.config.catalog.viewSets().map((v) => [v.name.toLowerCase(), v]));
    return {
      connection,
      catalog: this.config.catalog,
      viewSets,
      range: options.range ?? {},
      planOnly,
      allowAdmin: (this.config.adminFunctions ?? true) && (options.allowAdmin ?? true),
      columnHints: new ColumnHints(),
      parseCache: this.parseCache,
      rollups: this.config.rollups ?? true,
      functionKinds: this.functionKinds,
      schemaOf: (inner) => this.schema(inner, options),
    };
  }
}

/** How often an aborted query's connection is interrupted again until the query is released. */
const INTERRUPT_RETRY_MS = 10;

/**
 * Interrupts the connection's statement once `signal` aborts, and again every few milliseconds until
 * the returned stop function runs. DuckDB ignores an interrupt that arrives while no statement is
 * executing (during the rewrite, or before execution has started) and clears the flag when the next
 * one starts, so a single interrupt can be lost and the query then runs to its end.
 */
function interruptOnAbort(connection: DuckDBConnection, signal: AbortSignal | undefined): () => void {
  let retry: NodeJS.Timeout | undefined;
  const abort = () => {
    connection.interrupt();
    retry = setInterval(() => connection.interrupt(), INTERRUPT_RETRY_MS);
    retry.unref();
  };
  signal?.addEventListener('abort', abort, { once: true });
  return () => {
    signal?.removeEventListener('abort', abort);
    clearInterval(retry);
  };
}

/** Maps streaming failures to QueryError and closes the connection however iteration ends. */
async function* guarded(
  batches: AsyncGenerator<RecordBatch>, fail: (error: unknown) => Error, release: () => void,
): AsyncGenerator<RecordBatch> {
  try {
    yield* batches;
  } catch (error) {
    throw fail(error);
  } finally {
    release();
  }
}

async function withConnection<T>(instance: DuckDBInstance, use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = await instance.connect();
  try {
    return await use(connection);
  } finally {
    connection.closeSync();
  }
}
