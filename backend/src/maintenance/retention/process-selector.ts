/**
 * The tail-sampling selector as configured: a SQL query over the views (e.g. the processes with an
 * error log, or with a frame over 33 ms), run through the query engine like any user query, so
 * it can use every view and function and is as locked down. It must return a `process_id` column.
 */
import type { QueryEngine } from '../../query/engine.js';
import type { ProcessSelector } from './tail-sampling.js';

/** The configured query cannot select processes (failed, or no `process_id` column). */
export class TailSamplingQueryError extends Error {
  override name = 'TailSamplingQueryError';
  constructor(readonly sql: string, message: string, options?: ErrorOptions) {
    super(`tail-sampling query: ${message} (query: ${sql})`, options);
  }
}

export function queryProcessSelector(engine: QueryEngine, sql: string): ProcessSelector {
  return async (range) => {
    let result;
    try {
      result = await engine.query(sql, { range });
    } catch (err) {
      throw new TailSamplingQueryError(sql, err instanceof Error ? err.message : String(err), { cause: err });
    }
    const column = result.schema.fields.findIndex((f) => f.name === 'process_id');
    if (column < 0) {
      // Drain the stream so that the engine releases its connection.
      for await (const _ of result.batches);
      throw new TailSamplingQueryError(sql, `returns no process_id column (columns: ${result.schema.fields.map((f) => f.name).join(', ')})`);
    }
    const ids = new Set<string>();
    for await (const batch of result.batches) {
      const vector = batch.getChildAt(column)!;
      for (let i = 0; i < vector.length; i++) {
        const id: unknown = vector.get(i);
        if (id !== null && id !== undefined) ids.add(String(id));
      }
    }
    return ids;
  };
}
