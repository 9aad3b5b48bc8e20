/**
 * The query engine over the real lakehouse catalog: telemetry stored through the storage layer,
 * materialized just in time by the catalog into Parquet, queried with SQL and read back as Arrow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Table } from 'apache-arrow';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { FileObjectStore } from '@micromegas/backend/lake/object-store/file';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import type { QueryEngine, QueryOptions } from '@micromegas/backend/query/engine';
import { describeType } from '@micromegas/backend/query/describe/type-names';
import { expectedNs, openCatalog, TelemetryWriter, type CatalogUnderTest, type TestProcess } from './lakehouse-fixtures.js';

const pglite = testMetadataBackends.find((b) => b.name === 'pglite')!;
const files = testObjectBackends.find((b) => b.name === 'file')!;
const FRAME = { name: 'frame', target: 'game::loop', filename: 'src/game.ts', line: 10 };
const UPDATE = { name: 'update', target: 'game::loop', filename: 'src/game.ts', line: 20 };

describe('query engine over the lakehouse catalog', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let lake: CatalogUnderTest;
  let engine: QueryEngine;
  let proc: TestProcess;
  let threadStream: string;
  const t0 = 7_000_000_000_000 + 2_400_000_001 * 3600;
  const logs = [
    { ticks: t0 + 1, level: 4, target: 'game::net', msg: 'connected' },
    { ticks: t0 + 2_400_000_001, level: 2, target: 'game::io', msg: 'slow disk' },
    { ticks: t0 + 5_000_000_123, level: 4, target: 'game::net', msg: 'ping' },
  ];

  const run = async (sql: string, options?: QueryOptions): Promise<Table> => {
    const result = await engine.query(sql, options);
    const { Table } = await import('apache-arrow');
    const batches = [];
    for await (const batch of result.batches) batches.push(batch);
    return new Table(result.schema, batches);
  };

  before(async () => {
    [db, os] = await Promise.all([pglite.open(), files.open()]);
    const writer = new TelemetryWriter(db.store, os.store);
    lake = await openCatalog({ metadata: db.store, objects: os.store });
    proc = await writer.process();
    const logStream = await writer.stream(proc, ['log']);
    await writer.block(proc, logStream, logs.map((l) => ({ kind: 'log' as const, ...l })));
    threadStream = await writer.stream(proc, ['cpu']);
    await writer.block(proc, threadStream, [
      { kind: 'begin', ticks: t0 + 100, desc: FRAME },
      { kind: 'begin', ticks: t0 + 110, desc: UPDATE },
      { kind: 'end', ticks: t0 + 150, desc: UPDATE },
      { kind: 'end', ticks: t0 + 2_400_000_001, desc: FRAME },
    ]);
    engine = await createQueryEngine({
      catalog: lake.catalog, allowedDirs: [(os.store as FileObjectStore).root, lake.cacheDir], memoryLimit: '256MB',
    });
  });

  after(async () => {
    await engine.close();
    await lake.close();
    await Promise.all([db.drop(), os.drop()]);
  });

  it('plans and streams every view set with the same schema, the view set’s columns', async () => {
    for (const set of lake.catalog.viewSets()) {
      const instance = set.hasGlobal ? null : set.instanceKind === 'stream_id' ? threadStream : proc.process_id;
      const sql = instance === null ? `SELECT * FROM ${set.name}` : `SELECT * FROM view_instance('${set.name}', '${instance}')`;
      for (const preserveDictionary of [false, true]) {
        const planned = await engine.schema(sql, { preserveDictionary });
        const streamed = (await run(sql, { preserveDictionary })).schema;
        const types = (s: typeof planned) => s.fields.map((f) => `${f.name}:${f.type}`);
        assert.deepEqual(types(streamed), types(planned), sql);
        assert.deepEqual(streamed.fields.map((f) => f.name), set.schema.fields.map((f) => f.name), sql);
        if (preserveDictionary) {
          assert.deepEqual(streamed.fields.map((f) => describeType(f.type)), set.schema.fields.map((f) => describeType(f.type)), sql);
        }
      }
    }
  });

  it('DESCRIBE of a global view gives the catalog’s schema', async () => {
    const table = await run('DESCRIBE log_entries');
    const set = lake.catalog.viewSets().find((s) => s.name === 'log_entries')!;
    assert.deepEqual(table.toArray().map((r) => [r.column_name, r.data_type]), set.schema.fields.map((f) => [f.name, describeType(f.type)]));
  });

  it('reads a process’s log entries with exact nanosecond times', async () => {
    const table = await run(`SELECT msg, level, target, time FROM view_instance('log_entries', '${proc.process_id}') ORDER BY time`);
    assert.deepEqual(table.toArray().map((r) => [r.msg, r.level, r.target]), logs.map((l) => [l.msg, l.level, l.target]));
    const times = table.getChild('time')!.data.flatMap((d) => [...(d.values as BigInt64Array)]);
    assert.deepEqual(times, logs.map((l) => expectedNs(proc, l.ticks)));
  });

  it('counts global log entries by level within a time range', async () => {
    const begin = new Date(Number(expectedNs(proc, t0) / 1_000_000n));
    const end = new Date(Number(expectedNs(proc, t0 + 2_400_000_001 * 2) / 1_000_000n));
    const table = await run('SELECT level, count(*) AS n FROM log_entries GROUP BY level ORDER BY level', { range: { begin, end } });
    assert.deepEqual(table.toArray().map((r) => [r.level, r.n]), [[2, 1n], [4, 1n]]);
  });

  it('finds the longest top-level span of a thread with its exact duration', async () => {
    const table = await run(`SELECT name, duration, depth FROM view_instance('thread_spans', '${threadStream}')
      WHERE depth = 1 ORDER BY duration DESC LIMIT 10`);
    const duration = expectedNs(proc, t0 + 2_400_000_001) - expectedNs(proc, t0 + 100);
    assert.deepEqual(table.toArray().map((r) => [r.name, r.duration, r.depth]), [['frame', duration, 1]]);
  });

  it('lists the partitions the queries materialized', async () => {
    const table = await run(`SELECT view_set_name, sum(num_rows) AS n FROM list_partitions()
      WHERE view_instance_id = '${threadStream}' GROUP BY view_set_name`);
    assert.deepEqual(table.toArray().map((r) => [r.view_set_name, r.n]), [['thread_spans', 2n]]);
  });
});
