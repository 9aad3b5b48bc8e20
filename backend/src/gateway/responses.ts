import { Readable } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { batchRows, toIpcStream } from '@micromegas/flightsql-client';

export function arrowBody(schema: Schema, batches: AsyncIterable<RecordBatch>): Readable {
  return Readable.from(toIpcStream(schema, batches), { objectMode: false });
}

/** A JSON array of row objects, written batch by batch (a large result is never one string). */
export function jsonRowsBody(batches: AsyncIterable<RecordBatch>): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let first = true;
    yield '[';
    for await (const batch of batches) {
      const rows: string[] = [];
      for (const row of batchRows(batch)) {
        rows.push((first ? '\n' : ',\n') + JSON.stringify(row));
        first = false;
      }
      if (rows.length > 0) yield rows.join('');
    }
    yield first ? ']\n' : '\n]\n';
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** Pulls the first batch before the response starts, so errors the engine hits early still get a 4xx/5xx. */
export async function withFirstBatch(batches: AsyncIterable<RecordBatch>): Promise<AsyncIterable<RecordBatch>> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
}
