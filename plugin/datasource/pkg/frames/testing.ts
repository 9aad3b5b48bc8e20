// Test helpers: build Arrow tables as the FlightSQL server returns them, decode encoded frames.
import {
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampNanosecond,
  makeData,
  makeVector,
  tableFromIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { unmarshalArrowFrame } from '../../../tests/grafana/arrowFrame';

/** Arrow's builders take timestamps as milliseconds; nanosecond columns are laid out by hand. */
function timestampNanos(type: DataType, values: Array<bigint | null>): Vector {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => (v === null ? 0 : (bitmap[i >> 3]! |= 1 << (i & 7))));
  const nullCount = values.filter((v) => v === null).length;
  const data = BigInt64Array.from(values, (v) => v ?? 0n);
  return makeVector(makeData({ type: type as TimestampNanosecond, length: values.length, nullCount, nullBitmap: bitmap, data }));
}

export function arrowTable(columns: Array<[string, DataType, unknown[]]>): Table {
  const vectors = columns.map(([, type, values]) =>
    values.some((v) => typeof v === 'bigint') && type instanceof TimestampNanosecond
      ? timestampNanos(type, values as Array<bigint | null>)
      : vectorFromArray(values as never[], type),
  );
  const fields = columns.map(([name, type], i) => new Field(name, type, vectors[i]!.nullCount > 0));
  const schema = new Schema(fields);
  const length = vectors[0]?.length ?? 0;
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children: vectors.map((v) => v.data[0]!) });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/** Decodes one DataResponse frame (Arrow IPC file), failing where Grafana's Go SDK would not read it. */
export function decodeFrame(bytes: Uint8Array) {
  unmarshalArrowFrame(bytes);
  const table = tableFromIPC(bytes);
  const meta = table.schema.metadata;
  return {
    table,
    name: meta.get('name'),
    refId: meta.get('refId'),
    meta: meta.has('meta') ? JSON.parse(meta.get('meta')!) : undefined,
    fields: table.schema.fields.map((f, i) => ({
      name: f.name,
      type: String(f.type),
      nullable: f.nullable,
      tstype: f.metadata.get('tstype'),
      labels: f.metadata.has('labels') ? JSON.parse(f.metadata.get('labels')!) : undefined,
      config: f.metadata.has('config') ? JSON.parse(f.metadata.get('config')!) : undefined,
      values: Array.from(table.getChildAt(i)!, (v) => (v instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(v)) : v)),
    })),
  };
}

export function isIpcFile(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 6)) === 'ARROW1';
}
