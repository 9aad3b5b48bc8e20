/** @jest-environment node */
import { Dictionary, Field, Float64, Int16, Int32, Int64, List, Struct, TimestampNanosecond, Uint32, Utf8 } from 'apache-arrow';
import { encodeFrame } from '../encode';
import { arrowTable, decodeFrame } from '../testing';
import { framesFor } from './index';

const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const T0 = Date.parse('2024-05-01T10:00:00Z');
const dict = () => new Dictionary(new Utf8(), new Int16());
const decodeAll = (frames: ReturnType<typeof framesFor>) => frames.map((f) => decodeFrame(encodeFrame(f)));
const values = (frame: ReturnType<typeof decodeFrame>, name: string) => frame.fields.find((f) => f.name === name)!.values;

describe('time series', () => {
  test('a result without string columns is one wide frame sorted by time', () => {
    const table = arrowTable([
      ['time', new TimestampNanosecond(), [ns(T0 + 2000), ns(T0), ns(T0 + 1000)]],
      ['cpu', new Float64(), [3, 1, 2]],
      ['mem', new Int64(), [30n, 10n, 20n]],
    ]);
    const [frame, ...rest] = decodeAll(framesFor('time_series', table, 'A', 'q'));
    expect(rest).toHaveLength(0);
    expect(frame!.meta.type).toBe('timeseries-wide');
    expect(frame!.fields.map((f) => f.tstype)).toEqual(['time', 'number', 'number']);
    expect(values(frame!, 'cpu')).toEqual([1, 2, 3]);
    expect(values(frame!, 'mem')).toEqual([10n, 20n, 30n]);
  });

  test('string columns become labels: one frame per series', () => {
    const table = arrowTable([
      ['time', new TimestampNanosecond(), [ns(T0), ns(T0), ns(T0 + 1000), ns(T0 + 1000)]],
      ['name', dict(), ['cpu', 'mem', 'cpu', 'mem']],
      ['value', new Float64(), [1, 10, 2, 20]],
    ]);
    const frames = decodeAll(framesFor('time_series', table, 'A', 'q'));
    expect(frames).toHaveLength(2);
    expect(frames.map((f) => f.meta.type)).toEqual(['timeseries-multi', 'timeseries-multi']);
    expect(frames.map((f) => f.fields[1]!.labels)).toEqual([{ name: 'cpu' }, { name: 'mem' }]);
    expect(frames.map((f) => f.fields[1]!.values)).toEqual([
      [1, 2],
      [10, 20],
    ]);
    expect(frames.map((f) => f.refId)).toEqual(['A', 'A']);
  });

  test('needs a time column and a number column', () => {
    expect(() => framesFor('time_series', arrowTable([['v', new Float64(), [1]]]), 'A', '')).toThrow(
      'time series format: the result has no timestamp column',
    );
    expect(() => framesFor('time_series', arrowTable([['time', new TimestampNanosecond(), [ns(T0)]]]), 'A', '')).toThrow(
      'no numeric column',
    );
  });
});

describe('logs', () => {
  const table = arrowTable([
    ['time', new TimestampNanosecond('+00:00'), [ns(T0), ns(T0)]],
    ['process_id', dict(), ['p1', 'p1']],
    ['level', new Int32(), [2, 4]],
    ['target', dict(), ['db', 'http']],
    ['msg', new Utf8(), ['connection lost', 'GET /']],
  ]);
  const [frame] = decodeAll(framesFor('logs', table, 'L', 'q'));

  test("has the data plane's log-lines fields (grafana's logsFrame.ts reads `labels`), none nullable but labels", () => {
    expect(frame!.fields.map((f) => [f.name, f.tstype, f.nullable])).toEqual([
      ['timestamp', 'time', false],
      ['body', 'string', false],
      ['severity', 'string', false],
      ['id', 'string', false],
      ['labels', 'other', false],
    ]);
    expect(frame!.meta).toMatchObject({ type: 'log-lines', typeVersion: [0, 0], preferredVisualisationType: 'logs' });
  });

  test('maps levels to severities, keeps bodies, makes unique ids and labels', () => {
    expect(values(frame!, 'severity')).toEqual(['error', 'info']);
    expect(values(frame!, 'body')).toEqual(['connection lost', 'GET /']);
    const ids = values(frame!, 'id');
    expect(new Set(ids).size).toBe(2);
    expect(values(frame!, 'labels')).toEqual([
      { process_id: 'p1', target: 'db' },
      { process_id: 'p1', target: 'http' },
    ]);
    expect(frame!.table.getChild('timestamp')!.data[0]!.values[0]).toBe(ns(T0));
  });

  test('needs a message column', () => {
    expect(() => framesFor('logs', arrowTable([['time', new TimestampNanosecond(), [ns(T0)]]]), 'L', '')).toThrow(
      'logs format: the result needs a message column',
    );
  });

  test('rows without a timestamp are left out with a notice; a null message is an empty body', () => {
    const [logs] = decodeAll(
      framesFor(
        'logs',
        arrowTable([
          ['time', new TimestampNanosecond(), [ns(T0), null, ns(T0 + 1)]],
          ['msg', new Utf8(), [null, 'lost', 'kept']],
          ['target', new Utf8(), ['a', 'b', 'c']],
        ]),
        'L',
        'q',
      ),
    );
    expect(values(logs!, 'body')).toEqual(['', 'kept']);
    expect(values(logs!, 'labels')).toEqual([{ target: 'a' }, { target: 'c' }]);
    expect(logs!.fields.find((f) => f.name === 'timestamp')!.nullable).toBe(false);
    expect(logs!.meta.notices).toEqual([{ severity: 'warning', text: '1 rows without a timestamp are not shown' }]);
  });
});

describe('traces', () => {
  const table = arrowTable([
    ['id', new Int64(), [1n, 2n, 3n]],
    ['parent', new Int64(), [0n, 1n, 1n]],
    ['depth', new Uint32(), [1, 2, 2]],
    ['begin', new TimestampNanosecond(), [ns(T0), ns(T0) + 500_000n, ns(T0 + 2)]],
    ['end', new TimestampNanosecond(), [ns(T0 + 10), ns(T0 + 2), ns(T0 + 9)]],
    ['duration', new Int64(), [10_000_000n, 1_500_000n, 7_000_000n]],
    ['name', dict(), ['frame', 'update', 'render']],
    ['target', dict(), ['engine', 'engine', 'gfx']],
  ]);
  const [frame] = decodeAll(framesFor('traces', table, 'T', 'q'));

  test("has Grafana's trace fields", () => {
    expect(frame!.fields.map((f) => f.name)).toEqual([
      'traceID',
      'spanID',
      'parentSpanID',
      'operationName',
      'serviceName',
      'serviceTags',
      'startTime',
      'duration',
      'tags',
    ]);
    expect(frame!.meta.preferredVisualisationType).toBe('trace');
  });

  test('converts ids, parents, times and durations (ms)', () => {
    expect(values(frame!, 'spanID')).toEqual(['1', '2', '3']);
    expect(values(frame!, 'parentSpanID')).toEqual([null, '1', '1']);
    expect(values(frame!, 'operationName')).toEqual(['frame', 'update', 'render']);
    expect(values(frame!, 'startTime')).toEqual([T0, T0 + 0.5, T0 + 2]);
    expect(values(frame!, 'duration')).toEqual([10, 1.5, 7]);
    expect(values(frame!, 'serviceTags')[2]).toEqual([{ key: 'target', value: 'gfx' }]);
    // depth as thread_spans numbers it: the top-level span (no parent) at 1, its children at 2.
    expect(values(frame!, 'tags').map((tags) => (tags as Array<{ value: unknown }>)[0]!.value)).toEqual([1, 2, 2]);
  });
});

describe('traces of otel_spans', () => {
  const props = () => new List(new Field('Property', new Struct([new Field('key', new Utf8(), false), new Field('value', new Utf8(), false)]), false));
  const table = arrowTable([
    ['trace_id', new Utf8(), ['5b8efff798038103d269b633813fc60c', '5b8efff798038103d269b633813fc60c']],
    ['span_id', new Utf8(), ['eee19b7ec3c1b174', 'eee19b7ec3c1b175']],
    ['parent_span_id', new Utf8(), [null, 'eee19b7ec3c1b174']],
    ['start_time', new TimestampNanosecond('+00:00'), [ns(T0), ns(T0) + 250_000n]],
    ['end_time', new TimestampNanosecond('+00:00'), [ns(T0 + 10), ns(T0 + 5)]],
    ['duration', new Int64(), [10_000_000n, 4_750_000n]],
    ['name', dict(), ['GET /orders', 'SELECT orders']],
    ['kind', dict(), ['SERVER', 'CLIENT']],
    ['status', dict(), ['OK', 'ERROR']],
    ['status_message', new Utf8(), [null, 'timeout']],
    ['exe', dict(), ['shop-api', 'shop-api']],
    ['process_properties', props(), [[{ key: 'host.name', value: 'box' }], [{ key: 'host.name', value: 'box' }]]],
    ['properties', props(), [[{ key: 'http.method', value: 'GET' }], []]],
    ['events', new List(new Field('event', new Struct([
      new Field('time', new TimestampNanosecond('+00:00'), false), new Field('name', new Utf8(), false), new Field('attributes', props(), false),
    ]), false)), [[{ time: T0 + 1, name: 'cache miss', attributes: [{ key: 'key', value: 'orders:1' }] }], []]],
    ['links', new List(new Field('link', new Struct([
      new Field('trace_id', new Utf8(), false), new Field('span_id', new Utf8(), false), new Field('trace_state', new Utf8(), false), new Field('attributes', props(), false),
    ]), false)), [[], [{ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', trace_state: '', attributes: [] }]]],
  ]);
  const [frame] = decodeAll(framesFor('traces', table, 'T', 'q'));

  test("shows an OTel trace in Grafana's trace fields", () => {
    expect(values(frame!, 'traceID')).toEqual(['5b8efff798038103d269b633813fc60c', '5b8efff798038103d269b633813fc60c']);
    expect(values(frame!, 'spanID')).toEqual(['eee19b7ec3c1b174', 'eee19b7ec3c1b175']);
    expect(values(frame!, 'parentSpanID')).toEqual([null, 'eee19b7ec3c1b174']);
    expect(values(frame!, 'serviceName')).toEqual(['shop-api', 'shop-api']);
    expect(values(frame!, 'startTime')).toEqual([T0, T0 + 0.25]);
    expect(values(frame!, 'duration')).toEqual([10, 4.75]);
    expect(values(frame!, 'serviceTags')[0]).toEqual([{ key: 'host.name', value: 'box' }]);
    expect(values(frame!, 'tags')).toEqual([[{ key: 'http.method', value: 'GET' }], []]);
    expect(values(frame!, 'kind')).toEqual(['server', 'client']);
    expect(values(frame!, 'statusCode')).toEqual([1, 2]);
    expect(values(frame!, 'statusMessage')).toEqual([null, 'timeout']);
    expect(values(frame!, 'logs')).toEqual([[{ timestamp: T0 + 1, name: 'cache miss', fields: [{ key: 'key', value: 'orders:1' }] }], []]);
    expect(values(frame!, 'references')).toEqual([[], [{ traceID: '0af7651916cd43dd8448eb211c80319c', spanID: 'b7ad6b7169203331', tags: [] }]]);
  });
});

describe('flame graph', () => {
  // frame ─┬─ update ── physics
  //        └─ render
  // frame ─── update        (second frame: merges into the same path)
  const table = arrowTable([
    ['id', new Int64(), [1n, 2n, 3n, 4n, 5n, 6n]],
    ['parent', new Int64(), [0n, 1n, 2n, 1n, 0n, 5n]],
    ['name', dict(), ['frame', 'update', 'physics', 'render', 'frame', 'update']],
    ['duration', new Int64(), [100n, 60n, 25n, 30n, 50n, 40n]],
  ]);
  const [frame] = decodeAll(framesFor('flame_graph', table, 'F', 'q'));

  test('is one rooted tree in depth-first order with merged call paths', () => {
    expect(values(frame!, 'label')).toEqual(['total', 'frame', 'update', 'physics', 'render']);
    expect(values(frame!, 'level')).toEqual([0, 1, 2, 3, 2]);
    expect(values(frame!, 'value')).toEqual([150, 150, 100, 25, 30]);
    expect(values(frame!, 'self')).toEqual([0, 20, 75, 25, 30]);
    expect(frame!.meta.preferredVisualisationType).toBe('flamegraph');
  });

  test("thread_spans' depth 1 top-level spans are level 1 under the 'total' root at level 0, with no empty level", () => {
    // As thread_spans returns them: ids from 1, parent 0 (the thread) and depth 1 for the top-level span;
    // physics' parent (update, id 2) is outside the result, so physics hangs from the root too.
    const spans = arrowTable([
      ['id', new Int64(), [1n, 3n, 4n]],
      ['parent', new Int64(), [0n, 2n, 1n]],
      ['depth', new Uint32(), [1, 3, 2]],
      ['name', dict(), ['frame', 'physics', 'render']],
      ['duration', new Int64(), [100n, 25n, 30n]],
    ]);
    const [flame] = decodeAll(framesFor('flame_graph', spans, 'F', 'q'));
    expect(values(flame!, 'label')).toEqual(['total', 'frame', 'render', 'physics']);
    expect(values(flame!, 'level')).toEqual([0, 1, 2, 1]);
    expect(values(flame!, 'value')).toEqual([125, 100, 30, 25]);
  });

  test('needs span tree columns', () => {
    expect(() => framesFor('flame_graph', arrowTable([['name', new Utf8(), ['x']]]), 'F', '')).toThrow(
      'flame graph format: the result needs thread_spans columns',
    );
  });
});
