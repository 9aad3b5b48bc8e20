/**
 * Lakehouse end to end over the real storage layer: blocks encoded by the wire encoder and stored
 * through the ingestion writes, materialized by the catalog, read back from Parquet with DuckDB and
 * compared value by value (times against a BigInt reference).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { expectedNs, openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess, type WrittenBlock } from './lakehouse-fixtures.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const span = (name: string, line: number) => ({ name, target: 'game::loop', filename: 'src/game.ts', line });
const FRAME = span('frame', 10);
const UPDATE = span('update', 20);
const PHYSICS = span('physics', 30);
const RENDER = span('render', 40);
const FETCH = span('fetch', 50);
const PROPS = (ts: string) => `list_transform(${ts}, x -> x.key || '=' || x.value)`;
/** A property list stored as JSON text (a view set's `jsonColumns`), decoded as readers do. */
const JSON_PROPS = (column: string) => PROPS(`from_json(${column}, '[{"key":"VARCHAR","value":"VARCHAR"}]')`);

for (const metadataBackend of testMetadataBackends) {
  describe(`lakehouse views (${metadataBackend.name})`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let lake: CatalogUnderTest;
    let writer: TelemetryWriter;
    let proc: TestProcess;
    let logBlocks: WrittenBlock[];
    let metricBlock: WrittenBlock;
    let threadStream: string;
    let threadBlocks: WrittenBlock[];
    const t0 = 7_000_000_000_000 + 2_400_000_001 * 3600; // an hour after process start

    before(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
      writer = new TelemetryWriter(db.store, os.store);
      lake = await openCatalog({ metadata: db.store, objects: os.store });
      proc = await writer.process();
      const logStream = await writer.stream(proc, ['log']);
      logBlocks = [
        await writer.block(proc, logStream, [
          { kind: 'log', ticks: t0 + 1, level: 4, target: 'game::net', msg: 'connected', properties: { peer: 'p1', port: '7777' } },
          { kind: 'log', ticks: t0 + 2_400_000_001, level: 2, target: 'game::io', msg: "can't read 'save.dat'" },
        ]),
        await writer.block(proc, logStream, [
          { kind: 'log', ticks: t0 + 5_000_000_123, level: 6, target: 'game::net', msg: 'ping ✓' },
        ]),
      ];
      const metricStream = await writer.stream(proc, ['metrics']);
      metricBlock = await writer.block(proc, metricStream, [
        { kind: 'measure', ticks: t0 + 10, desc: { name: 'frame_time', unit: 'ns', target: 'game::loop' }, value: 16_000_123 },
        { kind: 'measure', ticks: t0 + 20, desc: { name: 'load', unit: 'ratio', target: 'game::cpu' }, value: 0.25, properties: { core: '3' } },
        { kind: 'measure', ticks: t0 + 30, desc: { name: 'frame_time', unit: 'ns', target: 'game::loop' }, value: -5 },
      ]);
      threadStream = await writer.stream(proc, ['cpu']);
      // frame > (update > physics), render; frame spans all three blocks; an async span in between.
      const b1: TestEvent[] = [
        { kind: 'begin', ticks: t0 + 100, desc: FRAME },
        { kind: 'begin', ticks: t0 + 110, desc: UPDATE },
        { kind: 'begin', ticks: t0 + 120, desc: PHYSICS },
        { kind: 'asyncBegin', ticks: t0 + 125, desc: FETCH, spanId: 7, parentSpanId: 0, depth: 0 },
      ];
      const b2: TestEvent[] = [
        { kind: 'end', ticks: t0 + 130, desc: PHYSICS },
        { kind: 'end', ticks: t0 + 150, desc: UPDATE },
        { kind: 'begin', ticks: t0 + 160, desc: RENDER },
      ];
      const b3: TestEvent[] = [
        { kind: 'end', ticks: t0 + 190, desc: RENDER },
        { kind: 'asyncEnd', ticks: t0 + 195, desc: FETCH, spanId: 7, parentSpanId: 0, depth: 0 },
        { kind: 'end', ticks: t0 + 2_400_000_001 * 2, desc: FRAME },
      ];
      threadBlocks = [await writer.block(proc, threadStream, b1), await writer.block(proc, threadStream, b2), await writer.block(proc, threadStream, b3)];
    });

    after(async () => {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    });

    it('log_entries of a process: every column of every entry, times exact', async () => {
      const files = await lake.catalog.partitionsFor('log_entries', proc.process_id, {});
      const rows = await readParquet(files.map((f) => f.path), `SELECT process_id, stream_id, block_id, exe, username, computer,
        epoch_ns(time)::VARCHAR AS time, target, level, msg, ${PROPS('properties')} AS props, ${JSON_PROPS('process_properties')} AS pprops,
        typeof(insert_time) AS insert_type, typeof(process_properties) AS pprops_type FROM {files} ORDER BY time`);
      const expected = logBlocks.flatMap((b) => b.events.map((e) => ({ b, e })));
      assert.equal(rows.length, 3);
      rows.forEach((row, i) => {
        const { b, e } = expected[i]!;
        assert.ok(e.kind === 'log');
        assert.deepEqual(row, {
          process_id: proc.process_id, stream_id: b.stream_id, block_id: b.block_id, exe: proc.exe, username: proc.username,
          computer: proc.computer, time: expectedNs(proc, e.ticks).toString(), target: e.target, level: e.level, msg: e.msg,
          props: Object.entries(e.properties ?? {}).map(([k, v]) => `${k}=${v}`), pprops: ['version=1.2.3'], insert_type: 'TIMESTAMP_NS',
          pprops_type: 'VARCHAR',
        });
      });
    });

    it('log_entries global holds the same entries; log_stats counts them per minute', async () => {
      const files = await lake.catalog.partitionsFor('log_entries', 'global', {});
      const [row] = await readParquet(files.map((f) => f.path), 'SELECT count(*)::INTEGER AS n FROM {files}');
      assert.deepEqual(row, { n: 3 });
      const stats = await lake.catalog.partitionsFor('log_stats', 'global', {});
      const bins = await readParquet(stats.map((f) => f.path), `SELECT level, target, sum(count)::INTEGER AS n,
        bool_and(epoch_ns(time_bin) % 60000000000 = 0) AS aligned FROM {files} GROUP BY ALL ORDER BY level`);
      assert.deepEqual(bins, [
        { level: 2, target: 'game::io', n: 1, aligned: true },
        { level: 4, target: 'game::net', n: 1, aligned: true },
        { level: 6, target: 'game::net', n: 1, aligned: true },
      ]);
    });

    it('measures: integer, negative and float values with names, units and properties', async () => {
      const files = await lake.catalog.partitionsFor('measures', proc.process_id, {});
      const rows = await readParquet(files.map((f) => f.path), `SELECT block_id, epoch_ns(time)::VARCHAR AS time, target, name, unit, value,
        ${PROPS('properties')} AS props FROM {files} ORDER BY time`);
      assert.deepEqual(rows, metricBlock.events.map((e) => {
        assert.ok(e.kind === 'measure');
        return { block_id: metricBlock.block_id, time: expectedNs(proc, e.ticks).toString(), target: e.desc.target, name: e.desc.name,
          unit: e.desc.unit, value: e.value, props: Object.entries(e.properties ?? {}).map(([k, v]) => `${k}=${v}`) };
      }));
    });

    const expectSpans = () => {
      const ns = (t: number) => expectedNs(proc, t);
      // ids: 1 + stream-wide index of the begin event; depth 1 for the top-level frame (parent 0: the thread).
      const rows = [
        { id: 3, parent: 2, depth: 3, name: 'physics', line: 30, begin: ns(t0 + 120), end: ns(t0 + 130) },
        { id: 2, parent: 1, depth: 2, name: 'update', line: 20, begin: ns(t0 + 110), end: ns(t0 + 150) },
        { id: 7, parent: 1, depth: 2, name: 'render', line: 40, begin: ns(t0 + 160), end: ns(t0 + 190) },
        { id: 1, parent: 0, depth: 1, name: 'frame', line: 10, begin: ns(t0 + 100), end: ns(t0 + 2_400_000_001 * 2) },
      ];
      return rows.map((r) => ({ ...r, begin: r.begin.toString(), end: r.end.toString(), duration: (r.end - r.begin).toString(),
        target: 'game::loop', filename: 'src/game.ts' }));
    };
    const spanSql = `SELECT id::INTEGER AS id, parent::INTEGER AS parent, depth::INTEGER AS depth, name, line::INTEGER AS line,
      epoch_ns("begin")::VARCHAR AS "begin", epoch_ns("end")::VARCHAR AS "end", duration::VARCHAR AS duration, target, filename
      FROM {files} ORDER BY "end"`;

    it('thread_spans rebuilds nesting, ids and exact durations across block boundaries', async () => {
      const files = await lake.catalog.partitionsFor('thread_spans', threadStream, {});
      assert.deepEqual(await readParquet(files.map((f) => f.path), spanSql), expectSpans());
      const [hashes] = await readParquet(files.map((f) => f.path), 'SELECT count(DISTINCT hash)::INTEGER AS n FROM {files}');
      assert.deepEqual(hashes, { n: 4 });
    });

    it('thread_spans come out the same when the stream is cut into three partitions', async () => {
      const base = Date.now() - 3 * 3_600_000;
      for (const [i, b] of threadBlocks.entries()) await writer.setInsertTime([b.block_id], new Date(base + i * 3_600_000));
      const files = await lake.catalog.partitionsFor('thread_spans', threadStream, {});
      assert.deepEqual(await readParquet(files.map((f) => f.path), spanSql), expectSpans());
      const partitions = (await lake.catalog.listPartitions()).filter((p) => p.view_set_name === 'thread_spans');
      assert.equal(partitions.length, 3);
      assert.deepEqual(partitions.map((p) => p.num_rows), [0, 2, 2]); // in insert order: spans land where they end
    });

    it('async_events of a process as recorded', async () => {
      const files = await lake.catalog.partitionsFor('async_events', proc.process_id, {});
      const rows = await readParquet(files.map((f) => f.path), `SELECT stream_id, block_id, epoch_ns(time)::VARCHAR AS time, event_type,
        span_id::INTEGER AS span_id, parent_span_id::INTEGER AS parent_span_id, depth::INTEGER AS depth, name, filename, target, line::INTEGER AS line
        FROM {files} ORDER BY time`);
      assert.deepEqual(rows, [
        { block: threadBlocks[0]!, ticks: t0 + 125, type: 'begin' },
        { block: threadBlocks[2]!, ticks: t0 + 195, type: 'end' },
      ].map(({ block, ticks, type }) => ({ stream_id: threadStream, block_id: block.block_id, time: expectedNs(proc, ticks).toString(),
        event_type: type, span_id: 7, parent_span_id: 0, depth: 0, name: 'fetch', filename: 'src/game.ts', target: 'game::loop', line: 50 })));
    });

    it('processes, streams and blocks views from the metadata, dotted columns on blocks', async () => {
      const [processes] = await readParquet((await lake.catalog.partitionsFor('processes', 'global', {})).map((f) => f.path),
        `SELECT process_id, exe, epoch_ns(start_time)::VARCHAR AS start_time, start_ticks, tsc_frequency, ${PROPS('properties')} AS props FROM {files}`);
      assert.deepEqual(processes, { process_id: proc.process_id, exe: proc.exe, start_time: proc.start_time_ns.toString(),
        start_ticks: String(proc.start_ticks), tsc_frequency: String(proc.tsc_frequency), props: ['version=1.2.3'] });
      const streams = await readParquet((await lake.catalog.partitionsFor('streams', 'global', {})).map((f) => f.path),
        `SELECT tags, hex(objects_metadata) AS objects FROM {files} ORDER BY tags`);
      assert.deepEqual(streams, [{ tags: ['cpu'], objects: '02' }, { tags: ['log'], objects: '02' }, { tags: ['metrics'], objects: '02' }]);
      const blocks = await readParquet((await lake.catalog.partitionsFor('blocks', 'global', {})).map((f) => f.path),
        `SELECT block_id, nb_objects, "streams.tags" AS tags, "processes.exe" AS exe FROM {files} WHERE block_id = '${metricBlock.block_id}'`);
      assert.deepEqual(blocks, [{ block_id: metricBlock.block_id, nb_objects: 3, tags: ['metrics'], exe: proc.exe }]);
    });
  });
}
