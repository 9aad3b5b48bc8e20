// The whole data path over real sockets: the tracing SDK in this process → HTTP ingestion →
// PGlite + file object store → JIT Parquet views → DuckDB → FlightSQL, read back by our client
// and by the Rust arrow-flight client, and compared with what was recorded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startLocalStack, type LocalStack } from './local-stack.js';
import * as sdk from '@micromegas/tracing';

const LOGS = 60;
const FRAMES = 25;
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

interface SentLog { level: number; target: string; msg: string; frame: string }

let stack: LocalStack;
let client: FlightSQLClient;
let flightUrl: string;
let processId: string;
let cpuStream: string;
let recordedFrom: Date;
let recordedTo: Date;
const sentLogs: SentLog[] = [];
const sentMeasures: number[] = [];

before(async () => {
  stack = await startLocalStack('e2e', ['ingestion', 'flightsql']);
  const urlOf = stack.urlOf;
  flightUrl = urlOf('flightsql');

  recordedFrom = new Date();
  sdk.init({ exe: 'e2e-app', url: urlOf('ingestion'), properties: { suite: 'e2e' }, flushPeriodMs: 50 });
  const frameTime = sdk.floatMetric('frame_time', 'ms', 'e2e.frames');
  const frame = sdk.spanScope('frame');
  const update = sdk.spanScope('update');
  const render = sdk.spanScope('render');
  for (let i = 0; i < FRAMES; i++) {
    frame.run(() => {
      update.run(() => {});
      render.run(() => {});
    });
    frameTime.record(i + 0.25);
    sentMeasures.push(i + 0.25);
  }
  for (let i = 0; i < LOGS; i++) {
    const level = (i % 6) + 1;
    const target = `e2e.target${i % 3}`;
    const msg = `message ${i} – ünïcode`;
    sdk[levels[level - 1]!](target, msg, { frame: String(i) });
    sentLogs.push({ level, target, msg, frame: String(i) });
  }
  processId = sdk.processId()!;
  cpuStream = sdk.streamIds()!.cpu;
  await sdk.shutdown();
  recordedTo = new Date();
  client = stack.client;
});

after(async () => {
  await stack?.stop();
});

describe('SDK → ingestion → lakehouse → FlightSQL', () => {
  it('returns every log of the process as it was recorded', async () => {
    const table = await client.query(
      `SELECT level, target, msg, property_get(properties, 'frame') AS frame, exe
         FROM view_instance('log_entries', '${processId}') ORDER BY time`,
    );
    const rows = table.toArray().map((r) => r.toJSON());
    assert.deepEqual(rows.map(({ level, target, msg, frame }) => ({ level, target, msg, frame })), sentLogs);
    assert.ok(rows.every((r) => r.exe === 'e2e-app'));
  });

  it('returns every measure with its name, unit and target', async () => {
    const table = await client.query(
      `SELECT name, unit, target, value FROM view_instance('measures', '${processId}') ORDER BY time`,
    );
    const rows = table.toArray().map((r) => r.toJSON());
    assert.deepEqual(rows.map((r) => r.value), sentMeasures);
    assert.ok(rows.every((r) => r.name === 'frame_time' && r.unit === 'ms' && r.target === 'e2e.frames'));
  });

  it('rebuilds the nesting of thread spans with exact durations', async () => {
    const table = await client.query(
      `SELECT id, parent, depth, name, begin, "end", duration,
              epoch_ns("end") - epoch_ns(begin) AS span_ns
         FROM view_instance('thread_spans', '${cpuStream}') ORDER BY begin, depth`,
    );
    const spans = table.toArray().map((r) => r.toJSON());
    assert.equal(spans.length, FRAMES * 3);
    const frames = spans.filter((s) => s.name === 'frame');
    assert.equal(frames.length, FRAMES);
    // As in micromegas: top-level spans at depth 1, their parent 0 is the thread (which has no row).
    for (const frame of frames) {
      assert.equal(frame.depth, 1);
      assert.equal(Number(frame.parent), 0);
    }
    const byId = new Map(spans.map((s) => [s.id, s]));
    for (const child of spans.filter((s) => s.name !== 'frame')) {
      const parent = byId.get(child.parent);
      assert.equal(parent?.name, 'frame', `${child.name} nests in a frame`);
      assert.equal(child.depth, parent!.depth + 1);
      assert.equal(child.depth, 2);
      assert.ok(child.begin >= parent!.begin && child.end <= parent!.end, 'child within its parent');
    }
    for (const s of spans) {
      assert.ok(s.begin <= s.end);
      assert.equal(BigInt(s.duration), BigInt(s.span_ns));
    }
  });

  it("selects the top-level spans with the reference's depth=1 query", async () => {
    const view = `view_instance('thread_spans', '${cpuStream}')`;
    const top = await client.query(`SELECT begin, "end", duration, name FROM ${view} WHERE depth=1 ORDER BY duration DESC LIMIT 10`);
    const all = await client.query(`SELECT name, duration FROM ${view} WHERE depth=1`);
    const allRows = all.toArray().map((r) => r.toJSON());
    assert.equal(allRows.length, FRAMES);
    assert.ok(allRows.every((r) => r.name === 'frame'));
    const longest = allRows.map((r) => BigInt(r.duration)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).slice(0, 10);
    assert.deepEqual(top.toArray().map((r) => BigInt(r.toJSON().duration)), longest);
  });

  it('filters the global view by the query time range', async () => {
    const inRange = await client.query(
      `SELECT count(*) AS n FROM log_entries WHERE process_id = '${processId}'`, recordedFrom, new Date(recordedTo.getTime() + 1000),
    );
    assert.equal(Number(inRange.get(0)!.n), LOGS);
    const later = new Date(recordedTo.getTime() + 3_600_000);
    const outOfRange = await client.query(
      `SELECT count(*) AS n FROM log_entries WHERE process_id = '${processId}'`, later, new Date(later.getTime() + 60_000),
    );
    assert.equal(Number(outOfRange.get(0)!.n), 0);
  });

  it('describes log_entries with the documented columns', async () => {
    const table = await client.query('DESCRIBE log_entries');
    const columns = table.toArray().map((r) => r.column_name);
    assert.deepEqual(columns, [
      'process_id', 'stream_id', 'block_id', 'insert_time', 'exe', 'username', 'computer',
      'time', 'target', 'level', 'msg', 'properties', 'process_properties',
    ]);
  });

  it('answers the Rust arrow-flight client the same', async () => {
    const { hostname, port } = new URL(flightUrl.replace(/^grpc:/, 'http:'));
    const rust = await createFlightSqlClient({ host: hostname, port: Number(port), tls: false, headers: [] });
    const ipc = await rust.query(`SELECT level, count(*) AS n FROM view_instance('log_entries', '${processId}') GROUP BY level ORDER BY level`);
    const rows = tableFromIPC(ipc).toArray().map((r) => ({ level: r.level, n: Number(r.n) }));
    assert.deepEqual(rows, [1, 2, 3, 4, 5, 6].map((level) => ({ level, n: LOGS / 6 })));
  });

  it('reports bad SQL as INVALID_ARGUMENT and keeps serving', async () => {
    await assert.rejects(client.query('SELEC nonsense'), (err: unknown) => err instanceof FlightSQLError && err.codeName === 'INVALID_ARGUMENT' && /syntax error/i.test(err.message));
    const table = await client.query(`SELECT count(*) AS n FROM view_instance('log_entries', '${processId}')`);
    assert.equal(Number(table.get(0)!.n), LOGS);
  });
});
