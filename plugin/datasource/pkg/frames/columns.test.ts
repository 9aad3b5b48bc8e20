/** @jest-environment node */
import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int16,
  Int32,
  Int64,
  List,
  Struct,
  TimestampMillisecond,
  TimestampNanosecond,
  Uint32,
  Utf8,
  LargeUtf8,
  DateDay,
  Null,
  Type,
  Table,
  IntervalMonthDayNano,
  DurationMillisecond,
  TimeMicrosecond,
  TimeNanosecond,
  TimeSecond,
  makeData,
  makeVector,
  vectorFromArray,
} from 'apache-arrow';
import { encodeFrame } from './encode';
import { tableFrame } from './formats/table';
import { arrowTable, decodeFrame, isIpcFile } from './testing';

const T0 = Date.parse('2024-05-01T10:00:00Z');

describe('Arrow result → frame', () => {
  const table = arrowTable([
    ['time', new TimestampNanosecond('+00:00'), [BigInt(T0) * 1_000_000n + 123n, null, BigInt(T0 + 1) * 1_000_000n]],
    ['insert_ms', new TimestampMillisecond('UTC'), [T0, T0 + 5, null]],
    ['target', new Dictionary(new Utf8(), new Int16()), ['http', null, 'db']],
    ['level', new Int32(), [4, 2, null]],
    ['id', new Int64(), [1n, 2n, 9007199254740993n]],
    ['line', new Uint32(), [10, 20, 30]],
    ['value', new Float64(), [1.5, null, -2]],
    ['ok', new Bool(), [true, false, null]],
    ['msg', new LargeUtf8(), ['a', 'b', null]],
    ['day', new DateDay(), [new Date(T0), null, new Date(T0)]],
    ['tags', new List(new Field('tag', new Utf8())), [['x', 'y'], [], null]],
    [
      'prop',
      new Struct([new Field('key', new Utf8()), new Field('value', new Utf8())]),
      [{ key: 'k', value: 'v' }, null, { key: 'a', value: 'b' }],
    ],
    ['nothing', new Null(), [null, null, null]],
  ]);
  const decoded = decodeFrame(encodeFrame(tableFrame(table, 'A', 'SELECT …')));
  const field = (name: string) => decoded.fields.find((f) => f.name === name)!;

  test('is an Arrow IPC file with Grafana frame metadata', () => {
    const bytes = encodeFrame(tableFrame(table, 'A', 'SELECT …'));
    expect(isIpcFile(bytes)).toBe(true);
    expect(decoded.name).toBe('A');
    expect(decoded.refId).toBe('A');
    expect(decoded.meta).toEqual({ executedQueryString: 'SELECT …' });
    expect(decoded.fields.map((f) => f.name)).toEqual(table.schema.fields.map((f) => f.name));
  });

  test('timestamps become nanoseconds without time zone, keeping sub-millisecond precision and nulls', () => {
    const time = decoded.table.getChild('time')!;
    expect(time.type.typeId).toBe(Type.Timestamp);
    expect(String(time.type)).toBe('Timestamp<NANOSECOND>');
    expect(field('time').tstype).toBe('time');
    expect(time.data[0]!.values[0]).toBe(BigInt(T0) * 1_000_000n + 123n);
    expect(time.isValid(1)).toBe(false);
    expect(field('time').nullable).toBe(true);
    const insert = decoded.table.getChild('insert_ms')!;
    expect(String(insert.type)).toBe('Timestamp<NANOSECOND>');
    expect(insert.data[0]!.values[1]).toBe(BigInt(T0 + 5) * 1_000_000n);
    expect(insert.isValid(2)).toBe(false);
  });

  test('dictionary and large strings become plain UTF-8 with nulls kept', () => {
    expect(field('target').type).toBe('Utf8');
    expect(field('target').values).toEqual(['http', null, 'db']);
    expect(field('target').tstype).toBe('string');
    expect(field('msg').type).toBe('Utf8');
    expect(field('msg').values).toEqual(['a', 'b', null]);
    for (const f of decoded.table.schema.fields) {
      expect(f.type.typeId).not.toBe(Type.Dictionary);
    }
  });

  test('numbers keep their width and sign, with nulls', () => {
    expect(field('level').type).toBe('Int32');
    expect(field('level').values).toEqual([4, 2, null]);
    expect(field('id').type).toBe('Int64');
    expect(field('id').values).toEqual([1n, 2n, 9007199254740993n]);
    expect(field('line').type).toBe('Uint32');
    expect(field('value').values).toEqual([1.5, null, -2]);
    expect(field('value').tstype).toBe('number');
    expect(field('ok').values).toEqual([true, false, null]);
    expect(field('ok').tstype).toBe('boolean');
  });

  test('dates become timestamps; nested values become JSON; null columns become null strings', () => {
    expect(field('day').tstype).toBe('time');
    expect(decoded.table.getChild('day')!.data[0]!.values[0]).toBe(BigInt(T0 - (T0 % 86_400_000)) * 1_000_000n);
    expect(field('tags').type).toBe('Binary');
    expect(field('tags').tstype).toBe('other');
    expect(field('tags').values).toEqual([['x', 'y'], [], null]);
    expect(field('prop').values).toEqual([{ key: 'k', value: 'v' }, null, { key: 'a', value: 'b' }]);
    expect(field('nothing').type).toBe('Utf8');
    expect(field('nothing').values).toEqual([null, null, null]);
  });

  test('multi-batch results are concatenated column by column', () => {
    const a = arrowTable([
      ['v', new Int32(), [1, 2]],
      ['s', new Dictionary(new Utf8(), new Int16()), ['x', 'y']],
    ]);
    const b = arrowTable([
      ['v', new Int32(), [3]],
      ['s', new Dictionary(new Utf8(), new Int16()), ['z']],
    ]);
    const both = a.concat(b);
    expect(both.batches.length).toBe(2);
    const frame = decodeFrame(encodeFrame(tableFrame(both, 'B', '')));
    expect(frame.fields[0]!.values).toEqual([1, 2, 3]);
    expect(frame.fields[1]!.values).toEqual(['x', 'y', 'z']);
  });

  test('an empty result still carries its schema', () => {
    const empty = decodeFrame(encodeFrame(tableFrame(arrowTable([['v', new Int32(), []]]), 'C', '')));
    expect(empty.fields).toEqual([expect.objectContaining({ name: 'v', type: 'Int32', values: [] })]);
  });
});

describe('durations and times of day', () => {
  const SECOND = 1_000_000_000n;
  /** MONTH_DAY_NANO rows: int32 months, int32 days, int64 nanoseconds as two little-endian words. */
  function intervals(rows: Array<[number, number, bigint] | null>) {
    const words = new Int32Array(rows.length * 4);
    const bitmap = new Uint8Array((rows.length + 7) >> 3);
    rows.forEach((row, i) => {
      if (row) {
        const [months, days, nanos] = row;
        words.set([months, days, Number(BigInt.asIntN(32, nanos)), Number(BigInt.asIntN(32, nanos >> 32n))], i * 4);
        bitmap[i >> 3]! |= 1 << (i & 7);
      }
    });
    const nullCount = rows.filter((r) => r === null).length;
    return makeVector(makeData({ type: new IntervalMonthDayNano(), length: rows.length, nullCount, nullBitmap: bitmap, data: words }));
  }
  const table = (name: string, vector: ReturnType<typeof makeVector>) =>
    new Table({ [name]: vector } as Record<string, ReturnType<typeof makeVector>>);
  const decode = (t: Table) => decodeFrame(encodeFrame(tableFrame(t, 'D', '')));

  test('INTERVAL becomes nanoseconds (a month is 30 days, a day 24 h, as DuckDB counts them) with unit ns, nulls kept', () => {
    const frame = decode(table('d', intervals([[0, 0, 1_500_000_000n], [1, 2, 3n * 3600n * SECOND], null, [0, 0, -5n * SECOND]])));
    const [field] = frame.fields;
    expect([field!.type, field!.tstype, field!.config]).toEqual(['Int64', 'number', { unit: 'ns' }]);
    expect(field!.values).toEqual([1_500_000_000n, (30n + 2n) * 86_400n * SECOND + 3n * 3600n * SECOND, null, -5n * SECOND]);
  });

  test('durations of any unit become nanoseconds too; slices keep their rows', () => {
    const millis = vectorFromArray([1500n, null, 2n], new DurationMillisecond());
    const [field] = decode(table('d', millis)).fields;
    expect(field!.values).toEqual([1_500_000_000n, null, 2_000_000n]);
    const sliced = intervals([
      [0, 0, 1n],
      [0, 0, 2n],
      [0, 0, 3n],
    ]).slice(1);
    expect(decode(table('d', sliced)).fields[0]!.values).toEqual([2n, 3n]);
  });

  test('TIME becomes text as Grafana shows SQL times: HH:MM:SS and the fraction the value has', () => {
    const micros = vectorFromArray([45_296_789_000n, 3_723_000_000n, null], new TimeMicrosecond());
    expect(decode(table('t', micros)).fields[0]).toMatchObject({
      type: 'Utf8',
      tstype: 'string',
      values: ['12:34:56.789', '01:02:03', null],
    });
    const seconds = vectorFromArray([86_399], new TimeSecond());
    expect(decode(table('t', seconds)).fields[0]!.values).toEqual(['23:59:59']);
    const nanos = vectorFromArray([1n], new TimeNanosecond());
    expect(decode(table('t', nanos)).fields[0]!.values).toEqual(['00:00:00.000000001']);
  });
});
