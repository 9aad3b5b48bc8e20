/**
 * Perfetto export end to end: the demo's game loop (main thread and a worker) and overlapping async
 * spans, recorded by the SDK into a backend with API keys on; then perfetto_trace_chunks() over
 * FlightSQL (our client and the Rust one), the gateway's download and `micromegas perfetto`, each
 * trace read with Perfetto's own perfetto_trace.proto and compared with the views, to the nanosecond.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC, type Table } from 'apache-arrow';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startLocalStack, type LocalStack } from './local-stack.js';
import { readTrace, type ReadTrace } from '@micromegas/backend/perfetto/testing/trace-reader';
import * as sdk from '@micromegas/tracing';
import { runGameLoop } from '../src/demo/game-loop.js';
import type { DemoWorkerData } from '../src/demo/worker.js';
import { runCli } from './cli-process.js';

const KEY = 'mmk_perfetto-export-test-admin-key-0123456789';

let stack: LocalStack;
let client: FlightSQLClient;
let flightUrl: string;
let gatewayUrl: string;
let processId: string;
let begin: Date;
let end: Date;

before(async () => {
  stack = await startLocalStack('perfetto', ['ingestion', 'flightsql', 'gateway'], { env: { MICROMEGAS_SELF_TELEMETRY_URL: 'off', MICROMEGAS_ADMIN_KEY: KEY }, apiKey: KEY });
  const urlOf = stack.urlOf;
  flightUrl = urlOf('flightsql');
  gatewayUrl = urlOf('gateway');

  begin = new Date(Date.now() - 1000);
  sdk.init({ exe: 'perfetto-e2e', url: urlOf('ingestion'), apiKey: KEY, flushPeriodMs: 50, properties: { build: '42' } });
  processId = sdk.processId()!;
  const worker = new Worker(new URL('../src/demo/worker.js', import.meta.url), { workerData: { framesPerSecond: 500, frames: 8 } satisfies DemoWorkerData });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  await runGameLoop({ name: 'main', framesPerSecond: 500, frames: 8 });
  // Requests whose steps overlap: async spans that do not nest in one another.
  const request = (n: number) => sdk.asyncSpan('request', () => Promise.all([
    sdk.asyncSpan('db', () => sleep(4 + n)),
    sdk.asyncSpan('cache', () => sleep(2 + n)),
  ]));
  await Promise.all([request(0), request(1), request(2)]);
  await exited;
  assert.equal(await sdk.shutdown(), true);
  end = new Date(Date.now() + 1000);
  client = stack.client;
});

after(async () => {
  await stack?.stop();
});

const chunksSql = (types: string, id = processId, from = begin, to = end) =>
  `SELECT chunk_id, chunk_data FROM perfetto_trace_chunks('${id}', '${types}', '${from.toISOString()}', '${to.toISOString()}') ORDER BY chunk_id`;

function traceBytes(table: Table): Buffer {
  const rows = table.toArray().map((r) => r.toJSON() as { chunk_id: number; chunk_data: Uint8Array });
  assert.deepEqual(rows.map((r) => r.chunk_id), rows.map((_, i) => i), 'chunks numbered from 0');
  return Buffer.concat(rows.map((r) => r.chunk_data));
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await client.query(sql, begin, end)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

/** Each slice as `name begin end depth parent-name`: what nests in what, to the nanosecond. */
function slicesOf(trace: ReadTrace, tracks: Set<string>): string[] {
  return trace.slices.filter((s) => tracks.has(s.track))
    .map((s) => `${s.name} ${s.beginNs} ${s.endNs} ${s.depth} ${s.parent === undefined ? '-' : trace.slices[s.parent]!.name}`).sort();
}

describe('Perfetto export', () => {
  it('names and shapes perfetto_trace_chunks() as micromegas: chunk_id Int32, chunk_data Binary', async () => {
    const schema = await client.getSchema(chunksSql('both'));
    assert.deepEqual(schema.fields.map((f) => `${f.name}:${f.type}`), ['chunk_id:Int32', 'chunk_data:Binary']);
  });

  it('writes a process track and a thread track per thread stream whose slices are its thread_spans, exactly', async () => {
    const trace = readTrace(traceBytes(await client.query(chunksSql('thread'), begin, end)));
    assert.deepEqual(trace.processes.map((p) => [p.name, p.labels]), [['perfetto-e2e', ['build=42']]]);
    const streams = await rows(`SELECT stream_id, property_get(properties, 'thread-name') AS name FROM streams
      WHERE process_id = '${processId}' AND list_contains(tags, 'cpu')`);
    assert.deepEqual(trace.threads.map((t) => t.name).sort(), ['demo-worker', 'main']);
    assert.deepEqual(streams.map((s) => s['name']).sort(), ['demo-worker', 'main']);
    assert.equal(trace.tracks.length, 0, 'no async lanes for thread spans only');
    for (const stream of streams) {
      const thread = trace.threads.find((t) => t.name === stream['name'])!;
      assert.equal(thread.parent, trace.processes[0]!.uuid);
      const spans = await rows(`SELECT s.name, epoch_ns(s.begin) AS b, epoch_ns(s."end") AS e, s.depth, coalesce(p.name, '-') AS parent
        FROM view_instance('thread_spans', '${stream['stream_id']}') s
        LEFT JOIN view_instance('thread_spans', '${stream['stream_id']}') p ON p.id = s.parent`);
      // thread_spans counts depth from the thread (top level 1); Perfetto from the track (top level 0).
      const expected = spans.map((s) => `${s['name']} ${s['b']} ${s['e']} ${Number(s['depth']) - 1} ${s['parent']}`).sort();
      assert.ok(expected.length >= 8 * 5, `${stream['name']} has its frames`);
      assert.deepEqual(slicesOf(trace, new Set([thread.uuid])), expected);
    }
  });

  it('lays every async span on async lanes, nested only in its own parent, exactly', async () => {
    const trace = readTrace(traceBytes(await client.query(chunksSql('async'), begin, end)));
    assert.equal(trace.threads.length, 0, 'no thread tracks for async spans only');
    assert.ok(trace.tracks.length >= 2, 'overlapping requests need several lanes');
    assert.ok(trace.tracks.every((t) => t.name === 'async' && t.parent === trace.processes[0]!.uuid));
    const spans = await rows(`WITH b AS (SELECT * FROM view_instance('async_events', '${processId}') WHERE event_type = 'begin'),
        e AS (SELECT * FROM view_instance('async_events', '${processId}') WHERE event_type = 'end')
      SELECT b.span_id, b.parent_span_id, b.name, epoch_ns(b.time) AS b, epoch_ns(e.time) AS e FROM b JOIN e USING (span_id)`);
    assert.equal(spans.filter((s) => s['name'] === 'request').length, 3);
    const byId = new Map(spans.map((s) => [s['span_id'], s]));
    const slices = trace.slices.map((s) => `${s.name} ${s.beginNs} ${s.endNs}`).sort();
    assert.deepEqual(slices, spans.map((s) => `${s['name']} ${s['b']} ${s['e']}`).sort());
    for (const slice of trace.slices.filter((s) => s.parent !== undefined)) {
      const span = spans.find((s) => s['name'] === slice.name && BigInt(s['b'] as bigint) === slice.beginNs)!;
      assert.equal(byId.get(span['parent_span_id'])?.['name'], trace.slices[slice.parent!]!.name, `${slice.name} nests in its parent only`);
    }
  });

  it('puts both kinds in one trace for span_types both, and the Rust FlightSQL client gets the same bytes', async () => {
    const ours = traceBytes(await client.query(chunksSql('both'), begin, end));
    const trace = readTrace(ours);
    assert.equal(trace.threads.length, 2);
    assert.ok(trace.tracks.length >= 2);
    const { hostname, port } = new URL(flightUrl.replace(/^grpc:/, 'http:'));
    const rust = await createFlightSqlClient({ host: hostname, port: Number(port), tls: false, token: KEY, headers: [] });
    assert.deepEqual(traceBytes(tableFromIPC(await rust.query(chunksSql('both')))), ours);
  });

  it('says what is wrong with its arguments', async () => {
    const code = (sql: string) => client.query(sql, begin, end).then(() => 'OK', (e: unknown) => (e instanceof FlightSQLError ? `${e.codeName}: ${e.message}` : String(e)));
    assert.match(await code(chunksSql('both', '00000000-0000-4000-8000-000000000000')), /^NOT_FOUND: .*process 00000000-0000-4000-8000-000000000000 not found/);
    assert.match(await code(chunksSql('threads')), /^INVALID_ARGUMENT: .*span_types must be 'thread', 'async' or 'both', got 'threads'/);
    assert.match(await code(chunksSql('both', processId, end, begin)), /^INVALID_ARGUMENT: .*begin .* must be before end/);
  });

  it('downloads the trace from the gateway, behind the API key (Basic for browsers), as FlightSQL returns it', async () => {
    const url = `${gatewayUrl}/api/perfetto/${processId}?begin=${begin.toISOString()}&end=${end.toISOString()}&span_types=both`;
    const refused = await fetch(url);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /Basic realm="micromegas"/);
    await refused.body?.cancel();

    const basic = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`grafana:${KEY}`).toString('base64')}` } });
    assert.equal(basic.status, 200);
    assert.equal(basic.headers.get('content-type'), 'application/octet-stream');
    assert.equal(basic.headers.get('content-disposition'), `attachment; filename="${processId}.perfetto"`);
    const downloaded = Buffer.from(await basic.arrayBuffer());
    assert.deepEqual(downloaded, traceBytes(await client.query(chunksSql('both'), begin, end)));

    const bearer = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
    assert.deepEqual(Buffer.from(await bearer.arrayBuffer()), downloaded);
    const missing = await fetch(`${gatewayUrl}/api/perfetto/nope?begin=${begin.toISOString()}&end=${end.toISOString()}`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { message: string }).message, /process nope not found/);
    const noRange = await fetch(`${gatewayUrl}/api/perfetto/${processId}`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(noRange.status, 400);
    await noRange.body?.cancel();
  });

  it('is what the span timeline dashboard’s Perfetto link downloads, for its process and time range', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../provisioning/dashboards/micromegas/span-timeline.json', import.meta.url), 'utf8')) as
      { links: { title: string; url: string }[]; templating: { list: { name: string }[] } };
    const link = dashboard.links.find((l) => l.title === 'Perfetto trace')!;
    assert.ok(dashboard.templating.list.some((v) => v.name === 'process'));
    // As Grafana interpolates a dashboard link: variables, and the time range as ISO 8601 (`:date:iso`).
    const url = link.url.replace('http://localhost:8000', gatewayUrl).replace('${process}', processId)
      .replace('${__from:date:iso}', begin.toISOString()).replace('${__to:date:iso}', end.toISOString());
    assert.doesNotMatch(url, /\$\{/);
    const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`:${KEY}`).toString('base64')}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), traceBytes(await client.query(chunksSql('both'), begin, end)));
  });

  it('writes the trace file with `micromegas perfetto`, and leaves none when the export fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-perfetto-cli-'));
    try {
      const output = join(dir, 'trace.perfetto');
      const env = { MICROMEGAS_FLIGHTSQL_URL: flightUrl, MICROMEGAS_API_KEY: KEY };
      const ok = await runCli(['perfetto', processId, '--begin', begin.toISOString(), '--end', end.toISOString(), '-o', output], env);
      assert.deepEqual(ok.exit, [0, null], ok.stderr);
      assert.match(ok.stdout, /wrote .*trace\.perfetto \(\d+ bytes, \d+ chunks\)/);
      assert.deepEqual(await readFile(output), traceBytes(await client.query(chunksSql('both'), begin, end)));

      const failed = await runCli(['perfetto', 'no-such-process', '--begin', '1h', '-o', join(dir, 'none.perfetto')], env);
      assert.deepEqual(failed.exit, [1, null]);
      assert.match(failed.stderr, /NOT_FOUND: .*process no-such-process not found/);
      assert.deepEqual((await readdir(dir)).sort(), ['trace.perfetto']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
