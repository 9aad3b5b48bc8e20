import { makeData, RecordBatch, Struct, vectorFromArray, type Data, type DataType, type Schema } from 'apache-arrow';

/** One column of a metadata result from plain values. */
export function column<T extends DataType>(type: T, values: unknown[]): Data<T> {
  return vectorFromArray(values as never[], type).data[0] as Data<T>;
}

/** A single record batch of `schema` from its columns (metadata results are small). */
export function batchOf(schema: Schema, columns: Data[]): RecordBatch {
  const length = columns[0]?.length ?? 0;
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns }));
}
