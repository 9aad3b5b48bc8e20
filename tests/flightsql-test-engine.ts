// A small real QueryEngine for the FlightSQL/gateway tests: DuckDB in memory, each result chunk
// (up to 2048 rows) turned into one Arrow record batch. The time range reaches SQL as the variables
// `query_begin` / `query_end` (getvariable(...)), so tests observe it through query results.
import { DuckDBInstance, DuckDBTimestampValue, DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import {
  Bool, Dictionary, Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, TimestampNanosecond, Utf8,
  vectorFromArray,
  type Data, type DataType,
} from 'apache-arrow';
import { QueryError, type QueryEngine, type QueryOptions, type QueryResult } from '@micromegas/backend/query/engine';

function arrowType(type: DuckDBType, preserveDictionary: boolean): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.INTEGER: return new Int32();
    case DuckDBTypeId.BIGINT: return new Int64();
    case DuckDBTypeId.DOUBLE: return new Float64();
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: return new TimestampNanosecond('UTC');
    default: return preserveDictionary ? new Dictionary(new Utf8(), new Int32()) : new Utf8();
  }
}

/** Timestamps are built from the raw int64 (apache-arrow's builder goes through float milliseconds). */
function timestampData(type: TimestampNanosecond, values: unknown[]): Data {
  const ns = new BigInt64Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, i) => {
    if (value === null) {
      nullCount += 1;
    } else {
      ns[i] = (value as DuckDBTimestampValue).micros * 1000n;
      validity[i >> 3]! |= 1 << (i & 7);
    }
  });
  return makeData({ type, length: values.length, nullCount, nullBitmap: validity, data: ns });
}

function columnData(type: DataType, values: unknown[]): Data {
  if (type instanceof TimestampNanosecond) return timestampData(type, values);
  const converted = type instanceof Utf8 || type instanceof Dictionary ? values.map((v) => (v === null ? null : String(v))) : values;
  return vectorFromArray(converted as never[], type).data[0]!;
}

export class DuckDbTestEngine implements QueryEngine {
  /** Every options object the engine received, for assertions on what reached it. */
  readonly received: QueryOptions[] = [];
  /** Results being streamed right now (a stream closes when read to the end or abandoned). */
  openStreams = 0;

  private constructor(private readonly instance: DuckDBInstance) {}

  static async create(setupSql: string[] = []): Promise<DuckDbTestEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const sql of setupSql) await connection.run(sql);
    connection.closeSync();
    return new DuckDbTestEngine(instance);
  }

  private async connect(options: QueryOptions): Promise<DuckDBConnection> {
    this.received.push(options);
    const connection = await this.instance.connect();
    const bound = (date?: Date) => (date ? `TIMESTAMPTZ '${date.toISOString()}'` : 'NULL::TIMESTAMPTZ');
    await connection.run(`SET VARIABLE query_begin = ${bound(options.range?.begin)}`);
    await connection.run(`SET VARIABLE query_end = ${bound(options.range?.end)}`);
    return connection;
  }

  async schema(sql: string, options: QueryOptions = {}): Promise<Schema> {
    const connection = await this.connect(options);
    try {
      const prepared = await connection.prepare(sql).catch(invalid(sql));
      const fields = Array.from({ length: prepared.columnCount }, (_, i) =>
        new Field(prepared.columnName(i), arrowType(prepared.columnType(i), options.preserveDictionary ?? false), true));
      return new Schema(fields);
    } finally {
      connection.closeSync();
    }
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const connection = await this.connect(options);
    const result = await connection.stream(sql).catch((err) => {
      connection.closeSync();
      return invalid(sql)(err);
    });
    this.openStreams += 1;
    const schema = new Schema(Array.from({ length: result.columnCount }, (_, i) =>
      new Field(result.columnName(i), arrowType(result.columnType(i), options.preserveDictionary ?? false), true)));
    async function* batches(): AsyncGenerator<RecordBatch> {
      try {
        for (;;) {
          if (options.signal?.aborted) throw new QueryError('cancelled', 'query cancelled', sql);
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) return;
          const columns = chunk.getColumns();
          const children = schema.fields.map((field, i) => columnData(field.type, columns[i]!));
          yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: chunk.rowCount, children }));
        }
      } finally {
        connection.closeSync();
        engine.openStreams -= 1;
      }
    }
    const engine = this;
    return { schema, batches: batches() };
  }

  async close(): Promise<void> {
    this.instance.closeSync();
  }
}

function invalid(sql: string): (err: unknown) => never {
  return (err) => {
    throw new QueryError('invalid_argument', err instanceof Error ? err.message : String(err), sql, { cause: err });
  };
}
