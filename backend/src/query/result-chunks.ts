import { ResultReturnType, type DuckDBDataChunk, type DuckDBResult } from '@duckdb/node-api';
import { QueryError } from './engine.js';

/**
 * The chunks of a streamed DuckDB result, failing loudly when execution failed part-way.
 *
 * A streamed result ends the same way on success and on an error in a later chunk (fetch_chunk
 * returns null), and the bindings do not expose duckdb_result_error for it; but a failed result
 * reports return type INVALID, so the failure is detected and raised instead of handing out a
 * silently truncated table. DuckDB's own message is out of reach here, so the error names what
 * is known. Materializing the result would keep the message but hold the whole result outside
 * memory_limit, which a large query must not be able to do.
 */
export async function* resultChunks(result: DuckDBResult, signal?: AbortSignal): AsyncGenerator<DuckDBDataChunk> {
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    rows += chunk.rowCount;
    yield chunk;
  }
  if (result.returnType !== ResultReturnType.INVALID) return;
  signal?.throwIfAborted(); // an interrupted query fails the same way
  throw new QueryError('internal', `Execution Error: the query failed after ${rows} rows had been produced `
    + '(DuckDB does not report the cause of a failure in a streamed result)');
}
