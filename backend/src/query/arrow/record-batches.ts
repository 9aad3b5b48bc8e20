import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { DataType, Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { columnBuilder } from './builders.js';
import { valueType, type ColumnHints } from './column-hints.js';
import { arrowTypeFor, stringDictionary } from './types.js';

/**
 * Rows per record batch: several DuckDB chunks (2 048 rows each) so IPC messages are not tiny, and
 * below 32 768 so a per-batch dictionary always fits Int16 indices.
 */
export const MAX_BATCH_ROWS = 16_384;

/**
 * The Arrow schema of a DuckDB result. Columns named like a column of the views read, and shaped
 * like it, take its declared type; dictionary encoding is kept only when `preserveDictionary`.
 */
export function arrowSchema(
  names: readonly string[], types: readonly DuckDBType[], hints: ColumnHints, preserveDictionary: boolean,
): Schema {
  return new Schema(names.map((name, i) => {
    const natural = arrowTypeFor(types[i]!);
    const declared = hints.match(name, natural);
    const arrow = !declared ? natural
      : DataType.isDictionary(declared) && preserveDictionary ? stringDictionary(i)
      : valueType(declared);
    return new Field(name, arrow, true);
  }));
}

/** Streams DuckDB chunks as record batches, converting column by column as chunks arrive. */
export async function* recordBatches(
  chunks: AsyncIterable<DuckDBDataChunk>, schema: Schema, types: readonly DuckDBType[], maxRows = MAX_BATCH_ROWS,
): AsyncGenerator<RecordBatch> {
  const builders = schema.fields.map((field, i) => columnBuilder(types[i]!, field.type, field.name));
  const struct = new Struct(schema.fields);
  let rows = 0;
  const emit = (): RecordBatch => {
    const children = builders.map((b) => b.take());
    const batch = new RecordBatch(schema, makeData({ type: struct, length: rows, children, nullCount: 0 }));
    rows = 0;
    return batch;
  };
  for await (const chunk of chunks) {
    const size = chunk.rowCount;
    builders.forEach((builder, c) => builder.append(duckdb.data_chunk_get_vector(chunk.chunk, c), size, 0, size));
    rows += size;
    if (rows >= maxRows - duckdb.vector_size()) yield emit();
  }
  if (rows > 0) yield emit();
}
