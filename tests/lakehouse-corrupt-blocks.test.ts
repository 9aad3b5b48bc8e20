/**
 * A corrupt block contributes nothing, in every view: the events its valid prefix holds are not in
 * log_entries, measures, thread_spans, async_events or log_stats (global or per instance), and a span
 * it opened does not capture the next block's end. Each corrupt block is reported once, with its
 * ids, and counted in the backend's own telemetry.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { CORRUPT_BLOCKS_METRIC, ETL_LOG_TARGET, reportSkippedBlocks } from '@micromegas/backend/etl/skipped-blocks';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess, type WrittenBlock } from './lakehouse-fixtures.js';

const span = (name: string) => ({ name, target: 'game::loop', filename: 'src/game.ts', line: 1 });
const METRIC = { name: 'frame_time', unit: 'ms', target: 'game::loop' };
const T0 = 7_000_000_000_000 + 2_400_000_001 * 3600;
const log = (ticks: number, msg: string): TestEvent => ({ kind: 'log', ticks, level: 4, target: 'game', msg });
const measure = (ticks: number, value: number): TestEvent => ({ kind: 'measure', ticks, desc: METRIC, value });
const async = (kind: 'asyncBegin' | 'asyncEnd', ticks: number, name: string, spanId: number): TestEvent =>
  ({ kind, ticks, desc: span(name), spanId, parentSpanId: 0, depth: 0 });

for (const metadataBackend of testMetadataBackends) {
  describe(`corrupt blocks contribute nothing (${metadataBackend.name} + file)`, () => {
    let db: TestMetadataStore;
    let os: TestObjectStore;
    let lake: CatalogUnderTest;
    let proc: TestProcess;
    let cpu: string;
    let corrupt: WrittenBlock[];
    const lines: string[] = [];
    const logged: string[] = [];
    const counted: [string, string, number, unknown][] = [];

    before(async () => {
      [db, os] = await Promise.all([metadataBackend.open(), testObjectBackends.find((b) => b.name === 'file')!.open()]);
      const onSkippedBlock = reportSkippedBlocks({
        metrics: { imetric: (name, unit, value, properties) => { counted.push([name, unit, value, properties]); } },
        log: (level, target, msg) => { logged.push(`${level} ${target} ${msg}`); },
      }, (line) => lines.push(line));
      lake = await openCatalog({ metadata: db.store, objects: os.store, onSkippedBlock });
      const writer = new TelemetryWriter(db.store, os.store);
      proc = await writer.process();
      const logs = await writer.stream(proc, ['log']);
      const metrics = await writer.stream(proc, ['metrics']);
      cpu = await writer.stream(proc, ['cpu']);
      await writer.block(proc, logs, [log(T0, 'good-1')]);
      await writer.block(proc, metrics, [measure(T0, 1)]);
      // 'outer' opens in a good block and ends in a later one; the corrupt block between opens 'inner'
      await writer.block(proc, cpu, [{ kind: 'begin', ticks: T0, desc: span('outer') }, async('asyncBegin', T0 + 1, 'good-async', 1)]);
      corrupt = [
        await writer.blockWithCorruptTail(proc, logs, [log(T0 + 10, 'prefix-log-1'), log(T0 + 11, 'prefix-log-2')]),
        await writer.blockWithCorruptTail(proc, metrics, [measure(T0 + 10, 666)]),
        await writer.blockWithCorruptTail(proc, cpu, [
          { kind: 'begin', ticks: T0 + 10, desc: span('prefix-span') }, { kind: 'end', ticks: T0 + 11, desc: span('prefix-span') },
          { kind: 'begin', ticks: T0 + 12, desc: span('inner') },
          async('asyncBegin', T0 + 13, 'prefix-async', 2), async('asyncEnd', T0 + 14, 'prefix-async', 2),
        ]),
        await writer.blockWithGarbageObject(proc, logs, [log(T0 + 15, 'garbage-object-log')]),
      ];
      await writer.block(proc, logs, [log(T0 + 20, 'good-2')]);
      await writer.block(proc, metrics, [measure(T0 + 20, 2)]);
      await writer.block(proc, cpu, [{ kind: 'end', ticks: T0 + 20, desc: span('outer') }, async('asyncEnd', T0 + 21, 'good-async', 1)]);
    });
    after(async () => {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    });

    const rows = async (view: string, instance: string, sql: string) =>
      readParquet((await lake.catalog.partitionsFor(view, instance, {})).map((f) => f.path), sql);

    it('log_entries and log_stats, global and per process, hold only the good blocks\' entries', async () => {
      for (const instance of ['global', proc.process_id]) {
        assert.deepEqual((await rows('log_entries', instance, 'SELECT msg FROM {files} ORDER BY time')).map((r) => r['msg']), ['good-1', 'good-2'], instance);
      }
      assert.deepEqual(await rows('log_stats', 'global', 'SELECT sum(count)::INT AS n FROM {files}'), [{ n: 2 }]);
    });

    it('measures, global and per process, hold only the good blocks\' values', async () => {
      for (const instance of ['global', proc.process_id]) {
        assert.deepEqual((await rows('measures', instance, 'SELECT value FROM {files} ORDER BY time')).map((r) => r['value']), [1, 2], instance);
      }
    });

    it('thread_spans: no span of the corrupt block, and the span it opened does not take the next end', async () => {
      const spans = await rows('thread_spans', cpu, 'SELECT name, depth FROM {files} ORDER BY begin');
      assert.deepEqual(spans, [{ name: 'outer', depth: 1 }]);
    });

    it('async_events hold only the good blocks\' events', async () => {
      const events = await rows('async_events', proc.process_id, 'SELECT name, event_type FROM {files} ORDER BY time');
      assert.deepEqual(events, [{ name: 'good-async', event_type: 'begin' }, { name: 'good-async', event_type: 'end' }]);
    });

    it('reports each corrupt block once, with its ids, as a warning and a count', () => {
      const reported = (text: string) => corrupt.filter((b) => text.includes(`corrupt block ${b.block_id} (stream ${b.stream_id}, process ${proc.process_id})`));
      assert.equal(lines.length, corrupt.length, lines.join('\n'));
      for (const b of corrupt) assert.equal(lines.filter((l) => reported(l).includes(b)).length, 1, b.block_id);
      assert.match(lines.find((l) => l.includes(corrupt[0]!.block_id))!, /skipped while building log_entries; it contributes no row to any view: unknown event kind 63/);
      assert.match(lines.find((l) => l.includes(corrupt[3]!.block_id))!, /: .*not a CBOR block payload/);
      assert.deepEqual(logged, lines.map((l) => `warn ${ETL_LOG_TARGET} ${l}`));
      assert.deepEqual(counted.map(([name, unit, value]) => [name, unit, value]), corrupt.map(() => [CORRUPT_BLOCKS_METRIC, 'count', 1]));
      // each count labelled with the view set whose build met the block first, as its line says
      const readers = [['log_entries'], ['measures'], ['thread_spans', 'async_events'], ['log_entries']];
      corrupt.forEach((b, i) => {
        const at = lines.findIndex((l) => l.includes(b.block_id));
        const viewSet = /while building (\w+);/.exec(lines[at]!)![1]!;
        assert.ok(readers[i]!.includes(viewSet), `${b.block_id} in ${viewSet}`);
        assert.deepEqual(counted[at]![3], { view_set: viewSet });
      });
    });
  });
}
