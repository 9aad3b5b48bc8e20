/** @jest-environment node */
// The built datasource executable, driven as Grafana drives it, against a real backend that the
// tracing SDK fed: health check, then each format with macros and the dashboard's time range. Frames
// are read as Grafana reads them (sdk-go's UnmarshalArrowFrame, ported in grafana/arrowFrame.ts).
import { builderSql, VIEW_SETS } from '../datasource/src/builder/sql';
import { sdkField, type SdkFrame } from './grafana/arrowFrame';
import { pluginStackFixture } from './backend';

jest.setTimeout(120_000);

const stack = pluginStackFixture();

/** Runs one query as Grafana sends it, after the frontend has interpolated $PID and $STREAM. */
async function query(refId: string, model: { rawSql: string; [key: string]: unknown }) {
  const rawSql = model.rawSql.replaceAll('$PID', stack.backend.processId).replaceAll('$STREAM', stack.backend.cpuStream);
  const responses = await stack.host.queryData(stack.config, [
    { refId, model: { ...model, rawSql }, from: stack.backend.begin, to: stack.backend.end, intervalMS: 1000 },
  ]);
  const response = responses[refId]!;
  if (response.error) {
    throw new Error(`${refId}: ${response.error}`);
  }
  return response.decoded;
}
const values = (frame: SdkFrame, name: string) => sdkField(frame, name).values;
/** A json.RawMessage field's values, parsed. */
const jsonValues = (frame: SdkFrame, name: string) => values(frame, name).map((v) => (v === null ? null : JSON.parse(v as string)));

test('CheckHealth connects, runs a query and reports the server version', async () => {
  const health = await stack.host.checkHealth(stack.config);
  expect(health.status).toBe('OK');
  expect(health.message).toMatch(new RegExp(`^Connected to ${stack.backend.address}: micromegas \\S+$`));
  expect(JSON.parse(health.jsonDetails.toString())).toMatchObject({ address: stack.backend.address });
});

test('table format: processes in the range, strings plain, timestamps in ns', async () => {
  const [frame] = await query('P', {
    rawSql: "SELECT process_id, exe, start_time FROM processes WHERE exe = 'plugin-e2e-game'",
    format: 'table',
  });
  expect(frame!.refId).toBe('P');
  expect(values(frame!, 'process_id')).toEqual([stack.backend.processId]);
  const start = sdkField(frame!, 'start_time');
  expect([start.type, start.tstype]).toEqual(['time.Time', 'time']);
});

test('time series format: measures bucketed by $__timeGroup, one series per name', async () => {
  const frames = await query('M', {
    rawSql:
      "SELECT $__timeGroup(time, 1s) AS time, name, max(value) AS value FROM measures WHERE $__timeFilter(time) AND process_id = '$PID' GROUP BY 1, 2 ORDER BY 1",
    format: 'time_series',
  });
  expect(frames.map((f) => f.fields[1]!.labels)).toEqual(expect.arrayContaining([{ name: 'frame_time' }, { name: 'players' }]));
  for (const f of frames) {
    expect(f.meta!.type).toBe('timeseries-multi');
    expect(f.fields[0]!.tstype).toBe('time');
  }
  const players = frames.find((f) => f.fields[1]!.labels!.name === 'players')!;
  expect(Math.max(...(players.fields[1]!.values as number[]))).toBe(100 + stack.backend.rounds - 1);
});

test("logs format: log_entries with severities, in the data plane's log-lines shape (labels as grafana's logsFrame.ts reads them)", async () => {
  const [frame] = await query('L', {
    rawSql: "SELECT time, process_id, level, target, msg FROM log_entries WHERE $__timeFilter(time) AND process_id = '$PID' ORDER BY time",
    format: 'logs',
    autoLimit: true,
  });
  expect(frame!.meta).toMatchObject({ type: 'log-lines', preferredVisualisationType: 'logs' });
  const severities = values(frame!, 'severity') as string[];
  expect(severities.filter((s) => s === 'error')).toHaveLength(stack.backend.rounds / 5);
  expect(severities.filter((s) => s === 'info')).toHaveLength(stack.backend.rounds);
  expect(values(frame!, 'body')).toContain('connection lost (round 5)');
  expect(new Set(values(frame!, 'id')).size).toBe(values(frame!, 'id').length);
  expect(frame!.fields.map((f) => [f.name, f.type])).toEqual([
    ['timestamp', 'time.Time'],
    ['body', 'string'],
    ['severity', 'string'],
    ['id', 'string'],
    ['labels', 'json.RawMessage'],
  ]);
  expect(jsonValues(frame!, 'labels')[0]).toEqual({ process_id: stack.backend.processId, target: expect.stringMatching(/^game::/) });
});

test('traces format: thread spans of the cpu stream with parents and ms durations', async () => {
  const [frame] = await query('T', {
    rawSql: `SELECT id, parent, depth, begin, "end", duration, name, target FROM view_instance('thread_spans', '$STREAM') WHERE $__timeFilter(begin)`,
    format: 'traces',
  });
  expect(frame!.meta!.preferredVisualisationType).toBe('trace');
  const names = values(frame!, 'operationName') as string[];
  expect(names.filter((n) => n === 'frame')).toHaveLength(stack.backend.rounds);
  const ids = values(frame!, 'spanID') as string[];
  const parents = values(frame!, 'parentSpanID') as Array<string | null>;
  const physics = names.indexOf('physics');
  const update = ids[names.indexOf('update')];
  expect(parents.filter((p) => p === null).length).toBe(stack.backend.rounds);
  // The depth tag as thread_spans numbers it: 1 for the top-level frames (parent 0, the thread), 3 for physics.
  const depths = (jsonValues(frame!, 'tags') as Array<Array<{ key: string; value: unknown }>>).map(
    (tags) => tags.find((t) => t.key === 'depth')!.value,
  );
  expect(new Set(depths.filter((_, i) => parents[i] === null))).toEqual(new Set([1]));
  expect(new Set(depths.filter((_, i) => names[i] === 'frame'))).toEqual(new Set([1]));
  expect(depths[physics]).toBe(3);
  expect(parents[physics]).not.toBeNull();
  expect(ids).toContain(parents[physics]);
  expect(update).toBeDefined();
  for (const d of values(frame!, 'duration') as number[]) {
    expect(d).toBeGreaterThanOrEqual(0);
  }
  const start = values(frame!, 'startTime') as number[];
  expect(Math.min(...start)).toBeGreaterThanOrEqual(stack.backend.begin);
});

test('flame graph format: one root, merged call paths', async () => {
  const [frame] = await query('F', {
    rawSql: `SELECT id, parent, name, duration FROM view_instance('thread_spans', '$STREAM') WHERE $__timeFilter(begin)`,
    format: 'flame_graph',
  });
  expect(values(frame!, 'label')).toEqual(['total', 'frame', 'update', 'physics', 'render']);
  expect(values(frame!, 'level')).toEqual([0, 1, 2, 3, 2]);
});

test('INTERVAL and TIME columns become fields Grafana displays: nanoseconds with unit ns, and HH:MM:SS text', async () => {
  const [frame] = await query('D', {
    rawSql: `SELECT "end" - begin AS span, INTERVAL 1500 MILLISECONDS AS fixed, CAST(TIMESTAMP '2024-05-01 12:34:56.789' AS TIME) AS at
             FROM view_instance('thread_spans', '$STREAM') WHERE $__timeFilter(begin) AND name = 'frame' LIMIT 1`,
    format: 'table',
  });
  expect(sdkField(frame!, 'fixed')).toMatchObject({ type: 'int64', tstype: 'number', config: { unit: 'ns' }, values: [1_500_000_000n] });
  expect(sdkField(frame!, 'span')).toMatchObject({ tstype: 'number', config: { unit: 'ns' } });
  expect(Number(values(frame!, 'span')[0])).toBeGreaterThan(0);
  expect(sdkField(frame!, 'at')).toMatchObject({ type: 'string', values: ['12:34:56.789'] });
});

test("a SQL error comes back as that query's error (400, downstream), and the plugin keeps serving", async () => {
  const responses = await stack.host.queryData(stack.config, [
    { refId: 'X', model: { rawSql: 'SELECT nope FROM log_entries', format: 'table' }, from: stack.backend.begin, to: stack.backend.end },
  ]);
  expect(responses.X).toMatchObject({ status: 400, errorSource: 'downstream', error: expect.stringMatching(/nope/) });
  expect((await stack.host.checkHealth(stack.config)).status).toBe('OK');
});

test.each(VIEW_SETS.map((set) => [set.name, set] as const))('the query builder SQL for %s runs', async (_name, set) => {
  const instance = set.global ? undefined : set.instance === 'stream_id' ? stack.backend.cpuStream : stack.backend.processId;
  const frames = await query('B', { rawSql: builderSql({ viewSet: set.name, instance, limit: 5 }), format: 'table' });
  expect(frames).toHaveLength(1);
});

test('CallResource serves the view sets and the server version to the editors', async () => {
  const [viewSets] = await stack.host.callResource(stack.config, 'view-sets');
  expect(viewSets!.code).toBe(200);
  expect(JSON.parse(viewSets!.body.toString())).toEqual(expect.arrayContaining(['log_entries', 'measures', 'thread_spans']));
  const [version] = await stack.host.callResource(stack.config, 'version');
  expect(JSON.parse(version!.body.toString())).toEqual({ version: expect.stringMatching(/^micromegas /) });
});
