/** @jest-environment node */
// The port of sdk-go's UnmarshalArrowFrame: what it reads, and what it refuses or would misread.
import {
  Binary,
  Field,
  Int64,
  LargeUtf8,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  TimestampNanosecond,
  Uint16,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { FrameUnmarshalError, unmarshalArrowFrame } from './arrowFrame';

interface Column {
  name: string;
  type: DataType;
  values: unknown[];
  nullable?: boolean;
  metadata?: Record<string, string>;
}

/** An Arrow IPC file laid out as sdk-go's Frame.MarshalArrow writes one. */
function frameBytes(
  columns: Column[],
  schemaMetadata: Record<string, string> = { name: 'A', refId: 'A' },
  format: 'file' | 'stream' = 'file',
) {
  const vectors = columns.map((c) =>
    c.type instanceof TimestampNanosecond
      ? vectorFromArray(
          c.values.map((v) => (v === null ? null : Number(v))),
          new TimestampMillisecond(),
        )
      : vectorFromArray(c.values as never[], c.type),
  );
  const data = columns.map((c, i) =>
    c.type instanceof TimestampNanosecond
      ? makeData({
          type: c.type,
          length: c.values.length,
          nullCount: vectors[i]!.nullCount,
          nullBitmap: vectors[i]!.data[0]!.nullBitmap,
          data: BigInt64Array.from(c.values, (v) => (v === null ? 0n : (v as bigint))),
        })
      : vectors[i]!.data[0]!,
  );
  const fields = columns.map(
    (c, i) => new Field(c.name, c.type, c.nullable ?? vectors[i]!.nullCount > 0, new Map(Object.entries(c.metadata ?? {}))),
  );
  const schema = new Schema(fields, new Map(Object.entries(schemaMetadata)));
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: columns[0]!.values.length, nullCount: 0, children: data }),
  );
  return tableToIPC(new Table(schema, [batch]), format);
}

const refused = (bytes: Uint8Array, message: RegExp) => {
  expect(() => unmarshalArrowFrame(bytes)).toThrow(FrameUnmarshalError);
  expect(() => unmarshalArrowFrame(bytes)).toThrow(message);
};

test('reads a frame as sdk-go does: Go field types, labels, config, meta, values', () => {
  const frame = unmarshalArrowFrame(
    frameBytes(
      [
        { name: 'time', type: new TimestampNanosecond(), values: [1_714_557_600_000_000_123n, 1n], metadata: { tstype: 'time' } },
        {
          name: 'value',
          type: new Int64(),
          values: [5n, null],
          metadata: { tstype: 'number', labels: '{"host":"a"}', config: '{"unit":"ns"}' },
        },
        { name: 'state', type: new Uint16(), values: [1, 0], metadata: { tstype: 'enum' } },
        {
          name: 'attrs',
          type: new Binary(),
          values: [new TextEncoder().encode('{"k":1}'), new TextEncoder().encode('[]')],
          metadata: { tstype: 'other' },
        },
      ],
      {
        name: 'cpu',
        refId: 'B',
        meta: JSON.stringify({ type: 'timeseries-multi', typeVersion: [0, 1], notices: [{ severity: 'warning', text: 'x' }] }),
      },
    ),
  );
  expect(frame).toEqual({
    name: 'cpu',
    refId: 'B',
    meta: { type: 'timeseries-multi', typeVersion: [0, 1], notices: [{ severity: 'warning', text: 'x' }] },
    fields: [
      { name: 'time', type: 'time.Time', nullable: false, tstype: 'time', values: [1_714_557_600_000_000_123n, 1n] },
      {
        name: 'value',
        type: '*int64',
        nullable: true,
        tstype: 'number',
        labels: { host: 'a' },
        config: { unit: 'ns' },
        values: [5n, null],
      },
      { name: 'state', type: 'enum', nullable: false, tstype: 'enum', values: [1, 0] },
      { name: 'attrs', type: 'json.RawMessage', nullable: false, tstype: 'other', values: ['{"k":1}', '[]'] },
    ],
  });
});

test('refuses what sdk-go refuses: the IPC stream format, Arrow types it has no field type for', () => {
  refused(frameBytes([{ name: 'v', type: new Utf8(), values: ['a'] }], undefined, 'stream'), /IPC stream/);
  refused(frameBytes([{ name: 'v', type: new LargeUtf8(), values: ['a'] }]), /unsupported conversion .* LargeUtf8/);
});

test('refuses what sdk-go would misread: other timestamp units, nulls in a non-nullable field, binary that is not JSON', () => {
  refused(frameBytes([{ name: 't', type: new TimestampMillisecond(), values: [1] }]), /reads timestamps as nanoseconds/);
  refused(frameBytes([{ name: 'v', type: new Utf8(), values: ['a', null], nullable: false }]), /not nullable but row 1 is null/);
  refused(frameBytes([{ name: 'j', type: new Binary(), values: [new TextEncoder().encode('{nope')] }]), /row 0 is not JSON/);
});

test('refuses metadata Go cannot decode or drops: label values that are not strings, unknown meta or config keys, bad notices', () => {
  const v = (metadata: Record<string, string>) => [{ name: 'v', type: new Utf8(), values: ['a'], metadata }];
  refused(frameBytes(v({ labels: '{"n":1}' })), /labels\.n: cannot unmarshal 1/);
  refused(frameBytes(v({ config: '{"units":"ns"}' })), /drops the key "units"/);
  refused(frameBytes(v({ tstype: 'number' })), /tstype "number", where sdk-go writes "string"/);
  refused(
    frameBytes(v({}), { name: 'A', refId: 'A', meta: '{"preferredVisualization":"logs"}' }),
    /drops the key "preferredVisualization"/,
  );
  refused(frameBytes(v({}), { name: 'A', refId: 'A', meta: '{"typeVersion":[0,-1]}' }), /typeVersion\[1\]/);
  refused(
    frameBytes(v({}), { name: 'A', refId: 'A', meta: '{"notices":[{"severity":"fatal","text":"x"}]}' }),
    /unrecognized notice severity fatal/,
  );
});
