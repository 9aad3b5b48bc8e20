/** @jest-environment node */
// The frame → JSON port writes what sdk-go writes, and Grafana's own dataFrameFromJSON reads it back.
import { dataFrameFromJSON, FieldType } from '@grafana/data';
import { frameToJson, FrameJsonError, type JsonableFrame } from './frameJson';

const T = 1_700_000_000_123n * 1_000_000n; // a whole millisecond, in ns

function frame(fields: JsonableFrame['fields']): JsonableFrame {
  return { name: 'spans', refId: 'A', fields };
}

test('times are whole milliseconds (floored) plus a nanos array, null for fields without remainders', () => {
  const json = JSON.parse(
    frameToJson(
      frame([
        { name: 'begin', type: 'time.Time', nullable: false, tstype: 'time', values: [T, T + 250n, T + 999_999n, -1n] },
        { name: 'end', type: '*time.Time', nullable: true, tstype: 'time', values: [T + 1_000_000n, null, T, T] },
      ]),
    ),
  );
  expect(json.data.values).toEqual([
    [1_700_000_000_123, 1_700_000_000_123, 1_700_000_000_123, -1],
    [1_700_000_000_124, null, 1_700_000_000_123, 1_700_000_000_123],
  ]);
  expect(json.data.nanos).toEqual([[0, 250, 999_999, 999_999], null]);
  expect(json.schema.fields).toEqual([
    { name: 'begin', type: 'time', typeInfo: { frame: 'time.Time' } },
    { name: 'end', type: 'time', typeInfo: { frame: 'time.Time', nullable: true } },
  ]);
});

test('no nanos key when every time is a whole millisecond', () => {
  const json = JSON.parse(frameToJson(frame([{ name: 't', type: 'time.Time', nullable: false, tstype: 'time', values: [T] }])));
  expect(json.data).toEqual({ values: [[1_700_000_000_123]] });
});

test('NaN and infinities become null plus entities; 64-bit integers, float32 and JSON as Go writes them', () => {
  const json = JSON.parse(
    frameToJson(
      frame([
        { name: 'f', type: '*float64', nullable: true, tstype: 'number', values: [1.5, NaN, Infinity, -Infinity, null] },
        { name: 'g', type: 'float32', nullable: false, tstype: 'number', values: [Math.fround(0.1), 1, 2, 3, 4] },
        { name: 'i', type: 'int64', nullable: false, tstype: 'number', values: [2n ** 53n + 1n, -5n, 0n, 1n, 2n] },
        { name: 'j', type: 'json.RawMessage', nullable: false, tstype: 'other', values: ['{"a":[1]}', '[]', '1', '"x"', 'null'] },
      ]),
    ),
  );
  expect(json.data.values[0]).toEqual([1.5, null, null, null, null]);
  expect(json.data.entities).toEqual([{ NaN: [1], Inf: [2], NegInf: [3] }, null, null, null]);
  expect(json.data.values[1][0]).toBe(0.1);
  expect(json.data.values[2][0]).toBe(2 ** 53); // the browser's JSON.parse rounds, as it does with Grafana's JSON
  expect(json.data.values[3]).toEqual([{ a: [1] }, [], 1, 'x', null]);
});

test("Grafana's dataFrameFromJSON keeps the sub-millisecond part in field.nanos", () => {
  const df = dataFrameFromJSON(
    JSON.parse(
      frameToJson(frame([{ name: 'begin', type: 'time.Time', nullable: false, tstype: 'time', values: [T + 1n, T + 2_000_001n] }])),
    ),
  );
  expect(df.fields[0]).toMatchObject({
    name: 'begin',
    type: FieldType.time,
    values: [1_700_000_000_123, 1_700_000_000_125],
    nanos: [1, 1],
  });
});

test('fields of different lengths are refused as sdk-go refuses them', () => {
  expect(() =>
    frameToJson(
      frame([
        { name: 'a', type: 'int8', nullable: false, tstype: 'number', values: [1, 2] },
        { name: 'b', type: 'int8', nullable: false, tstype: 'number', values: [1] },
      ]),
    ),
  ).toThrow(FrameJsonError);
});
