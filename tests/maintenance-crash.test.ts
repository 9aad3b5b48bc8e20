/**
 * A maintenance process killed (SIGKILL) at random points while it builds, merges and retires
 * partitions, over and over: after each kill, queries still count every row exactly once (no two
 * partitions over the same inserts), the next run brings the window to one merged partition, and
 * the sweep leaves in the object store exactly the files of live partitions (nothing orphaned by a
 * build that died between publishing its file and recording it). Real PostgreSQL and file store.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { deleteDueFiles } from '@micromegas/backend/views/expired-files';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest, type TestEvent } from './lakehouse-fixtures.js';

const postgres = testMetadataBackends.find((b) => b.name === 'postgres')!;
const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const WORKER = new URL('./maintenance-crash-worker.js', import.meta.url).pathname;
const HOUR = Date.UTC(2026, 10, 2, 10, 0, 0);
const SECONDS = 90;
const LOGS_PER_BLOCK = 20;
const KILLS = 5;

describe('maintenance killed mid-task (postgres)', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let lake: CatalogUnderTest;

  before(async () => {
    [db, os] = await Promise.all([postgres.open(), fileBackend.open()]);
    lake = await openCatalog({ metadata: db.store, objects: os.store });
    const w = new TelemetryWriter(db.store, os.store);
    const p = await w.process();
    const stream = await w.stream(p, ['log']);
    for (let s = 0; s < SECONDS; s++) {
      const events: TestEvent[] = Array.from({ length: LOGS_PER_BLOCK }, (_, i) => ({
        kind: 'log', ticks: p.start_ticks + (s * LOGS_PER_BLOCK + i) * 1000, level: 1 + (i % 4), target: 'crash', msg: `m${s}-${i}`,
      }));
      const block = await w.block(p, stream, events);
      await w.setInsertTime([block.block_id], new Date(HOUR + s * 1000 + 500));
    }
  });
  after(async () => {
    await lake.close();
    await Promise.all([db.drop(), os.drop()]);
  });

  const globalPartitions = async (view: string) => (await lake.catalog.listPartitions())
    .filter((p) => p.view_set_name === view && p.view_instance_id === 'global');
  const counted = async (view: string, expr: string) => {
    const files = await lake.catalog.partitionsFor(view, 'global', {});
    const [row] = await readParquet(files.map((f) => f.path), `SELECT ${expr} AS n FROM {files}`);
    return Number(row?.['n'] ?? 0);
  };

  it('leaves queries exact after every kill; the next run merges; no file is orphaned', async () => {
    for (let kill = 0; kill < KILLS; kill++) {
      const worker = spawn(process.execPath, [WORKER, JSON.stringify({ metadata: db.options, objects: os.uri, begin: HOUR, end: HOUR + 3_600_000 })],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(worker, 'exit');
      for await (const line of createInterface({ input: worker.stdout })) if (line === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1500));
      worker.kill('SIGKILL');
      await exited;

      for (const view of ['log_entries', 'log_stats']) {
        const recorded = await globalPartitions(view);
        for (let i = 1; i < recorded.length; i++) assert.ok(recorded[i - 1]!.end_insert_time <= recorded[i]!.begin_insert_time, `${view}: overlapping partitions`);
      }
      assert.equal(await counted('log_entries', 'count(*)'), SECONDS * LOGS_PER_BLOCK, `kill ${kill}: every log once`);
      assert.equal(await counted('log_stats', 'sum(count)'), SECONDS * LOGS_PER_BLOCK, `kill ${kill}: every log counted once`);
    }

    for (const width of [60, 3600]) await lake.catalog.materializePartitions('log_stats', new Date(HOUR), new Date(HOUR + 3_600_000), width);
    for (const view of ['log_entries', 'log_stats']) {
      assert.deepEqual((await globalPartitions(view)).map((p) => p.end_insert_time.getTime() - p.begin_insert_time.getTime()), [3_600_000], view);
    }
    assert.equal(await counted('log_entries', 'count(*)'), SECONDS * LOGS_PER_BLOCK);
    assert.equal(await counted('log_stats', 'sum(count)'), SECONDS * LOGS_PER_BLOCK);

    // Two hours on, every replaced file and every file a killed build never recorded is due.
    await deleteDueFiles(db.store, (path) => os.store.delete(path), { now: new Date(Date.now() + 7_200_000), batchSize: 500 });
    const stored: string[] = [];
    for await (const key of os.store.list('views/')) stored.push(key);
    const live = (await lake.catalog.listPartitions()).flatMap((p) => (p.file_path === '' ? [] : [p.file_path]));
    assert.deepEqual(stored.sort(), live.sort());
  });
});
