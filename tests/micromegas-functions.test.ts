/**
 * micromegas' SQL functions over the real lakehouse (PostgreSQL, file object store): telemetry written through the storage layer
 * (wire encoder → object store + metadata rows), materialized just in time, queried by the engine.
 * Expected values come from the events written.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Table } from 'apache-arrow';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { FileObjectStore } from '@micromegas/backend/lake/object-store/file';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine, QueryOptions } from '@micromegas/backend/query/engine';
import { plain } from '@micromegas/backend/query/testing/plain-rows';
import { parseUserViews } from '@micromegas/backend/views/user-views/config';
import { encodeOtlpPayload } from '@micromegas/backend/lake/otlp/payload';
import { blockPayloadKey } from '@micromegas/backend/lake/telemetry/payload';
import { insertBlockRows } from '@micromegas/backend/lake/telemetry/write';
import { expectedNs, openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess, type WrittenBlock } from './lakehouse-fixtures.js';

const postgres = testMetadataBackends.find((b) => b.name === 'postgres')!;
const files = testObjectBackends.find((b) => b.name === 'file')!;
const FRAME = { name: 'frame', target: 'game::loop', filename: 'src/game.ts', line: 10 };
const UPDATE = { name: 'update', target: 'game::loop', filename: 'src/game.ts', line: 20 };
const LOAD = { name: 'load_asset', target: 'game::assets', filename: 'src/assets.ts', line: 5 };
const READ = { name: 'read_file', target: 'game::assets', filename: 'src/assets.ts', line: 9 };
const FRAME_MS = { name: 'frame_time', unit: 'ms', target: 'game::loop' };
/** A user view of histograms, the way micromegas' examples keep them (per process and minute). */
const [HISTOGRAM_VIEW] = parseUserViews([{
  name: 'frame_time_per_process_per_minute', source: 'measures', time_bin: '1 minute',
  sql: `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, process_id, make_histogram(0.0, 100.0, 4, value) AS frame_time_histo
        FROM source WHERE name = 'frame_time' GROUP BY ALL`,
  merge_sql: 'SELECT time_bin, process_id, sum_histograms(frame_time_histo) AS frame_time_histo FROM source GROUP BY ALL',
}]);

describe('micromegas functions over the lakehouse', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let lake: CatalogUnderTest;
  let engine: QueryEngine;
  let game: TestProcess;
  let tool: TestProcess;
  let mainThread: string;
  let workerThread: string;
  let logBlocks: WrittenBlock[];
  let cpuBlock: WrittenBlock;
  let corruptBlock: string;
  let otlpBlock: string;
  const tsc = 2_400_000_001;
  const t0 = 7_000_000_000_000 + tsc * 3600;
  const ms = (n: number) => Math.round((tsc / 1000) * n);

  const rows = async (sql: string, options?: QueryOptions): Promise<Record<string, unknown>[]> => {
    const result = await engine.query(sql, options);
    const batches = [];
    for await (const batch of result.batches) batches.push(batch);
    return new Table(result.schema, batches).toArray().map((row) => plain(row) as Record<string, unknown>);
  };
  const timeOf = (p: TestProcess, ticks: number) => new Date(Number(expectedNs(p, ticks) / 1_000_000n));

  before(async () => {
    [db, os] = await Promise.all([postgres.open(), files.open()]);
    const writer = new TelemetryWriter(db.store, os.store);
    lake = await openCatalog({ metadata: db.store, objects: os.store, userViews: [HISTOGRAM_VIEW!] });
    game = await writer.process({ properties: [{ key: 'service', value: 'game' }, { key: 'Env', value: 'production' }] });
    tool = await writer.process({ exe: 'tool', properties: [] });

    const logStream = await writer.stream(game, ['log']);
    logBlocks = [
      await writer.block(game, logStream, [
        { kind: 'log', ticks: t0, level: 4, target: 'game::net', msg: 'connected' },
        { kind: 'log', ticks: t0 + ms(1), level: 2, target: 'game::io', msg: 'slow disk', properties: { disk: 'sda', Ms: '12' } },
      ]),
      await writer.block(game, logStream, [
        { kind: 'log', ticks: t0 + ms(2), level: 3, target: 'game::cfg', msg: '{"service": "assets", "port": 8080, "cpu_limit": 0.5}' },
      ]),
    ];
    for (const [p, values] of [[game, [10, 20, 30]], [tool, [70, 95.5]]] as const) {
      const metrics = await writer.stream(p, ['metrics']);
      await writer.block(p, metrics, values.map((value, i): TestEvent =>
        ({ kind: 'measure', ticks: t0 + ms(i), desc: FRAME_MS, value, ...(i === 0 ? { properties: { source: 'system_monitor' } } : {}) })));
    }

    mainThread = await writer.stream(game, ['cpu'], [{ key: 'thread-name', value: 'main' }, { key: 'thread-id', value: '1' }]);
    cpuBlock = await writer.block(game, mainThread, [
      { kind: 'begin', ticks: t0, desc: FRAME },
      { kind: 'asyncBegin', ticks: t0 + ms(1), desc: LOAD, spanId: 7, parentSpanId: 0, depth: 0 },
      { kind: 'begin', ticks: t0 + ms(2), desc: UPDATE },
      { kind: 'asyncBegin', ticks: t0 + ms(2), desc: READ, spanId: 8, parentSpanId: 7, depth: 1 },
      { kind: 'end', ticks: t0 + ms(5), desc: UPDATE },
      { kind: 'asyncEnd', ticks: t0 + ms(6), desc: READ, spanId: 8, parentSpanId: 7, depth: 1 },
      { kind: 'end', ticks: t0 + ms(16), desc: FRAME },
      { kind: 'asyncEnd', ticks: t0 + ms(20), desc: LOAD, spanId: 7, parentSpanId: 0, depth: 0 },
    ]);
    workerThread = await writer.stream(game, ['cpu'], [{ key: 'thread-name', value: 'worker' }]);
    await writer.block(game, workerThread, [{ kind: 'begin', ticks: t0 + ms(3), desc: FRAME }, { kind: 'end', ticks: t0 + ms(4), desc: FRAME }]);
    // A thread whose only block is a day before: outside the ranges queried below.
    const idle = await writer.stream(game, ['cpu'], [{ key: 'thread-name', value: 'idle' }]);
    await writer.block(game, idle, [{ kind: 'begin', ticks: t0 - tsc * 86400, desc: FRAME }, { kind: 'end', ticks: t0 - tsc * 86400 + 10, desc: FRAME }]);
    corruptBlock = await writer.corruptBlock(game, await writer.stream(game, ['log']));
    // A block ingested over OTLP: its object holds an OTLP request, not SDK events.
    const otlpStream = await writer.stream(game, ['log'], [{ key: 'format', value: 'otlp/v1/logs' }]);
    const block = {
      block_id: randomUUID(), stream_id: otlpStream, process_id: game.process_id, begin_time_ns: expectedNs(game, t0), begin_ticks: t0,
      end_time_ns: expectedNs(game, t0), end_ticks: t0, nb_objects: 1, object_offset: 0, payload: { dependencies: new Uint8Array(), objects: new Uint8Array() },
    };
    const otlp = encodeOtlpPayload({ signal: 'logs', data: new Uint8Array() });
    await os.store.putIfAbsent(blockPayloadKey(block), otlp);
    await insertBlockRows(db.store, [{ block, payload: otlp, pack: null }]); // laid out as before packs: an object of its own
    otlpBlock = block.block_id;

    engine = await createQueryEngine({
      catalog: lake.catalog, allowedDirs: [(os.store as FileObjectStore).root, lake.cacheDir], memoryLimit: '256MB',
    });
  });

  after(async () => {
    await engine.close();
    await lake.close();
    await Promise.all([db.drop(), os.drop()]);
  });

  const range = () => ({ range: { begin: timeOf(game, t0 - tsc * 60), end: timeOf(game, t0 + tsc * 60) } });

  describe('process_spans', () => {
    it('gives the thread spans of every thread in range, with micromegas\' stream_id and thread_name', async () => {
      const spans = await rows(`SELECT stream_id, thread_name, name, depth, duration, "begin" FROM process_spans('${game.process_id}', 'thread')
        ORDER BY "begin", depth`, range());
      const ns = (ticks: number) => expectedNs(game, ticks);
      assert.deepEqual(spans.map(({ begin: _b, ...s }) => s), [
        { stream_id: mainThread, thread_name: 'main-1', name: 'frame', depth: 1, duration: ns(t0 + ms(16)) - ns(t0) },
        { stream_id: mainThread, thread_name: 'main-1', name: 'update', depth: 2, duration: ns(t0 + ms(5)) - ns(t0 + ms(2)) },
        // No thread-id property: micromegas names the thread after its stream.
        { stream_id: workerThread, thread_name: `worker-${workerThread}`, name: 'frame', depth: 1, duration: ns(t0 + ms(4)) - ns(t0 + ms(3)) },
      ]);
    });

    it('equals each thread\'s view_instance(\'thread_spans\', …), column for column', async () => {
      const viaFunction = await rows(`SELECT * EXCLUDE (stream_id, thread_name) FROM process_spans('${game.process_id}', 'thread')
        WHERE stream_id = '${mainThread}' ORDER BY id`, range());
      assert.deepEqual(viaFunction, await rows(`SELECT * FROM view_instance('thread_spans', '${mainThread}') ORDER BY id`, range()));
    });

    it('pairs async begin and end events into spans; \'both\' has both kinds', async () => {
      const spans = await rows(`SELECT stream_id, thread_name, id, parent, depth, name, target, duration
        FROM process_spans('${game.process_id}', 'async') ORDER BY id`, range());
      const ns = (ticks: number) => expectedNs(game, ticks);
      assert.deepEqual(spans, [
        { stream_id: '', thread_name: 'async', id: 7n, parent: 0n, depth: 0, name: 'load_asset', target: 'game::assets', duration: ns(t0 + ms(20)) - ns(t0 + ms(1)) },
        { stream_id: '', thread_name: 'async', id: 8n, parent: 7n, depth: 1, name: 'read_file', target: 'game::assets', duration: ns(t0 + ms(6)) - ns(t0 + ms(2)) },
      ]);
      const lanes = await rows(`SELECT thread_name AS lane, count(*) AS n FROM process_spans('${game.process_id}', 'both') GROUP BY lane ORDER BY lane`, range());
      assert.deepEqual(lanes, [{ lane: 'async', n: 2n }, { lane: 'main-1', n: 2n }, { lane: `worker-${workerThread}`, n: 1n }]);
    });

    it('keeps to the query\'s time range: a thread without blocks in it has no rows, a range before everything none at all', async () => {
      const open = await rows(`SELECT DISTINCT thread_name FROM process_spans('${game.process_id}', 'thread') ORDER BY 1`);
      assert.equal(open.filter((r) => String(r.thread_name).startsWith('idle-')).length, 1);
      const inRange = await rows(`SELECT DISTINCT thread_name FROM process_spans('${game.process_id}', 'thread') ORDER BY 1`, range());
      assert.equal(inRange.some((r) => String(r.thread_name).startsWith('idle')), false);
      const before = { range: { begin: timeOf(game, t0 - tsc * 7200), end: timeOf(game, t0 - tsc * 3600) } };
      assert.deepEqual(await rows(`SELECT * FROM process_spans('${game.process_id}', 'both')`, before), []);
    });

    it('keeps thread_spans\' types (dictionary strings when asked), stream_id and thread_name first', async () => {
      const schema = await engine.schema(`SELECT * FROM process_spans('${game.process_id}', 'both')`, { preserveDictionary: true });
      assert.deepEqual(schema.fields.map((f) => `${f.name}:${f.type}`), [
        'stream_id:Dictionary<Int16, Utf8>', 'thread_name:Dictionary<Int16, Utf8>', 'id:Int64', 'parent:Int64', 'depth:Uint32', 'hash:Uint32',
        'begin:Timestamp<NANOSECOND, +00:00>', 'end:Timestamp<NANOSECOND, +00:00>', 'duration:Int64',
        'name:Dictionary<Int16, Utf8>', 'target:Dictionary<Int16, Utf8>', 'filename:Dictionary<Int16, Utf8>', 'line:Uint32',
      ]);
    });

    it('an unknown process has no spans; a wrong types argument is refused', async () => {
      assert.deepEqual(await rows("SELECT * FROM process_spans('no-such-process', 'both')"), []);
      await assert.rejects(rows(`SELECT * FROM process_spans('${game.process_id}', 'threads')`),
        { code: 'invalid_argument', message: "process_spans: types must be 'thread', 'async' or 'both', got 'threads'" });
      await assert.rejects(rows(`SELECT * FROM process_spans('${game.process_id}')`),
        { code: 'invalid_argument', message: 'process_spans(process_id, types) takes 2 argument(s), got 1' });
    });
  });

  describe('parse_block', () => {
    it('lists a block\'s events with micromegas\' type names and members, indexed from the block\'s object offset', async () => {
      const [first, second] = logBlocks;
      const parsed = await rows(`SELECT object_index, type_name, value FROM parse_block('${second!.block_id}')`);
      assert.deepEqual(parsed, [{
        object_index: BigInt(second!.object_offset), type_name: 'LogStringInteropEvent',
        value: JSON.stringify({ __type: 'LogStringInteropEvent', level: 3, msg: second!.events[0]!.kind === 'log' ? second!.events[0].msg : '', target: 'game::cfg', time: t0 + ms(2) }),
      }]);
      const tagged = await rows(`SELECT object_index, type_name, jsonb_as_string(jsonb_get(jsonb_get(value, 'properties'), 'disk')) AS disk,
        jsonb_as_i64(jsonb_get(value, 'level')) AS level FROM parse_block('${first!.block_id}') ORDER BY object_index`);
      assert.deepEqual(tagged, [
        { object_index: 0n, type_name: 'LogStringInteropEvent', disk: null, level: 4n },
        { object_index: 1n, type_name: 'TaggedLogString', disk: 'sda', level: 2n },
      ]);
    });

    it('decodes span, async span and measure events', async () => {
      const spans = await rows(`SELECT type_name, jsonb_format_json(value) AS value FROM parse_block('${cpuBlock.block_id}') ORDER BY object_index LIMIT 2`);
      assert.deepEqual(spans.map((r) => [r.type_name, JSON.parse(String(r.value))]), [
        ['BeginThreadSpanEvent', { __type: 'BeginThreadSpanEvent', thread_span_desc: { __type: 'SpanMetadata', file: 'src/game.ts', line: 10, name: 'frame', target: 'game::loop' }, time: t0 }],
        ['BeginAsyncSpanEvent', { __type: 'BeginAsyncSpanEvent', depth: 0, parent_span_id: 0, span_desc: { __type: 'SpanMetadata', file: 'src/assets.ts', line: 5, name: 'load_asset', target: 'game::assets' }, span_id: 7, time: t0 + ms(1) }],
      ]);
      const counts = await rows(`SELECT type_name, count(*) AS n FROM parse_block('${cpuBlock.block_id}') GROUP BY ALL ORDER BY type_name`);
      assert.deepEqual(counts, [
        { type_name: 'BeginAsyncSpanEvent', n: 2n }, { type_name: 'BeginThreadSpanEvent', n: 2n },
        { type_name: 'EndAsyncSpanEvent', n: 2n }, { type_name: 'EndThreadSpanEvent', n: 2n },
      ]);
      const [block] = await rows(`SELECT block_id FROM blocks WHERE process_id = '${game.process_id}' AND nb_objects = 3
        AND stream_id IN (SELECT stream_id FROM streams WHERE list_contains(tags, 'metrics'))`);
      const measures = await rows(`SELECT type_name, jsonb_as_f64(jsonb_get(value, 'value')) AS value, jsonb_as_string(jsonb_get(jsonb_get(value, 'desc'), 'name')) AS name
        FROM parse_block('${block!.block_id}') ORDER BY object_index`);
      assert.deepEqual(measures, [
        { type_name: 'TaggedFloatMetricEvent', value: 10, name: 'frame_time' },
        { type_name: 'FloatMetricEvent', value: 20, name: 'frame_time' },
        { type_name: 'FloatMetricEvent', value: 30, name: 'frame_time' },
      ]);
    });

    it('says which block is unknown or does not decode', async () => {
      await assert.rejects(rows("SELECT * FROM parse_block('550e8400-e29b-41d4-a716-446655440000')"),
        { code: 'not_found', message: /parse_block: block '550e8400-e29b-41d4-a716-446655440000' does not exist/ });
      await assert.rejects(rows(`SELECT * FROM parse_block('${corruptBlock}')`),
        { code: 'invalid_argument', message: new RegExp(`parse_block: block '${corruptBlock}' does not decode: `) });
      await assert.rejects(rows(`SELECT * FROM parse_block('${otlpBlock}')`),
        { code: 'invalid_argument', message: `parse_block: block '${otlpBlock}' holds no SDK events: parse_block decodes blocks of the micromegas-ts wire format` });
    });

    it('plans without reading the block', async () => {
      const schema = await engine.schema("SELECT * FROM parse_block('not-read-when-planning')");
      assert.deepEqual(schema.fields.map((f) => `${f.name}:${f.type}`), ['object_index:Int64', 'type_name:Utf8', 'value:Utf8']);
    });
  });

  describe('properties and JSONB over the views', () => {
    it('reads process and event properties in either form', async () => {
      const logs = await rows(`SELECT msg, property_get(process_properties, 'env') AS env, property_get(properties, 'ms') AS ms,
          jsonb_format_json(properties_to_jsonb(properties)) AS props, properties_length(properties) AS n
        FROM log_entries WHERE process_id = '${game.process_id}' ORDER BY time`, range());
      assert.deepEqual(logs.map(({ msg: _m, ...r }) => r), [
        { env: 'production', ms: null, props: '{}', n: 0 },
        { env: 'production', ms: '12', props: '{"Ms":"12","disk":"sda"}', n: 2 },
        { env: 'production', ms: null, props: '{}', n: 0 },
      ]);
      assert.deepEqual(await rows(`SELECT key, jsonb_as_string(value) AS value FROM jsonb_each((SELECT properties FROM processes WHERE process_id = '${game.process_id}'))`),
        [{ key: 'Env', value: 'production' }, { key: 'service', value: 'game' }]);
      assert.deepEqual(await rows(`SELECT jsonb_object_keys(properties) AS keys FROM processes WHERE process_id = '${game.process_id}'`),
        [{ keys: ['Env', 'service'] }]);
    });

    it('parses JSON log messages', async () => {
      assert.deepEqual(await rows(`SELECT jsonb_as_string(jsonb_get(jsonb_parse(msg), 'service')) AS service, jsonb_as_i64(jsonb_get(jsonb_parse(msg), 'port')) AS port,
          jsonb_as_f64(jsonb_get(jsonb_parse(msg), 'cpu_limit')) AS cpu_limit
        FROM log_entries WHERE msg LIKE '%{%' AND jsonb_parse(msg) IS NOT NULL`, range()),
      [{ service: 'assets', port: 8080n, cpu_limit: 0.5 }]);
    });
  });

  describe('histograms over the views', () => {
    it('makes a histogram per process and sums them across processes', async () => {
      const perProcess = await rows(`SELECT exe, count_from_histogram(h) AS n, sum_from_histogram(h) AS total, h.bins AS bins FROM (
          SELECT exe, make_histogram(0.0, 100.0, 4, value) AS h FROM measures WHERE name = 'frame_time' GROUP BY exe) ORDER BY exe`, range());
      assert.deepEqual(perProcess, [
        { exe: game.exe, n: 3n, total: 60, bins: [2n, 1n, 0n, 0n] },
        { exe: 'tool', n: 2n, total: 165.5, bins: [0n, 0n, 1n, 1n] },
      ]);
      const [all] = await rows(`SELECT quantile_from_histogram(sum_histograms(h), 0.5) AS median, count_from_histogram(sum_histograms(h)) AS n FROM (
          SELECT process_id, make_histogram(0.0, 100.0, 4, value) AS h FROM measures WHERE name = 'frame_time' GROUP BY process_id)`, range());
      // Bins [2, 1, 1, 1]: the median (2.5th of 5 values) is half way into the second bin, [25, 50).
      assert.deepEqual(all, { median: 37.5, n: 5n });
      assert.deepEqual(await rows(`SELECT bin_center, count FROM expand_histogram((SELECT make_histogram(0.0, 100.0, 4, value)
          FROM measures WHERE name = 'frame_time' AND property_get(properties, 'source') = 'system_monitor'))`, range()),
      [{ bin_center: 12.5, count: 1n }, { bin_center: 37.5, count: 0n }, { bin_center: 62.5, count: 1n }, { bin_center: 87.5, count: 0n }]);
    });

    it('a user view keeps histograms (the dialect\'s functions run in its SQL), summed when queried', async () => {
      assert.deepEqual(await rows(`SELECT count(DISTINCT process_id) AS processes, sum_histograms(frame_time_histo).bins AS bins,
          quantile_from_histogram(sum_histograms(frame_time_histo), 0.5) AS median FROM frame_time_per_process_per_minute`, range()),
      [{ processes: 2n, bins: [2n, 1n, 1n, 1n], median: 37.5 }]);
    });
  });
});
