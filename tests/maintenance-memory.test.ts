/**
 * A long-running maintenance must not accumulate memory: driven tick by tick over a lake that gets a
 * block a second (PGlite and PostgreSQL, file object store), second partitions built, minutes merged,
 * DuckDB holds no cache of the files it read and its memory, like the JS heap, ends where it was
 * after the first twenty seconds.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { testMetadataBackends } from '@micromegas/backend/lake/metadata/test-stores';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { schedules } from '@micromegas/backend/maintenance/scheduler/schedules';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { openFileLake, type TelemetryWriter, type CatalogUnderTest, type TestEvent } from './lakehouse-fixtures.js';

/** Past 2 min: the minute tick at 120 s merges the first minute. */
const TICKS = 125;
const BASELINE_TICK = 20;
/** The views that read back what they wrote (log_stats reads log_entries' files; merges read all): DuckDB's reads. */
const VIEW_SETS = ['log_entries', 'log_stats'];
const MB = 1024 * 1024;
/** Ten o'clock yesterday: the ticks' windows are in the past, as the scheduler's tests do it. */
const H = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

for (const metadataBackend of testMetadataBackends) {
  describe(`maintenance memory over ${TICKS} ticks (${metadataBackend.name})`, () => {
    let close: () => Promise<void>;
    let lake: CatalogUnderTest;
    let writer: TelemetryWriter;
    before(async () => { ({ lake, writer, close } = await openFileLake(metadataBackend)); });
    after(async () => { await close(); });

    it('keeps DuckDB\'s memory and the heap flat, and caches no file it read', async () => {
      const duckdb = (sql: string) => lake.catalog.writer.withConnection(async (c) => Number((await c.runAndReadAll(sql)).getRows()[0]![0] ?? 0));
      const duckdbBytes = () => duckdb('SELECT coalesce(sum(memory_usage_bytes), 0)::DOUBLE FROM duckdb_memory()');
      const heapBytes = () => { gc(); return process.memoryUsage().heapUsed; };
      const p = await writer.process();
      const stream = await writer.stream(p, ['log']);
      const scheduler = new MaintenanceScheduler({
        election: new LeaseElection(writer.db), catalog: lake.catalog, db: writer.db, objects: writer.objects,
        settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined },
        schedules: schedules.map((schedule) => ({ ...schedule, viewSets: VIEW_SETS })),
      });
      let baseline = { duckdb: 0, heap: 0 };
      try {
        for (let s = 0; s < TICKS; s++) {
          const logs: TestEvent[] = Array.from({ length: 50 }, (_, i) => ({
            kind: 'log', ticks: p.start_ticks + s * 1_000_000 + i, level: 1 + (i % 6), target: `game::m${i % 5}`, msg: `second ${s} line ${i}`,
          }));
          const block = await writer.block(p, stream, logs);
          await writer.setInsertTime([block.block_id], at(s + 0.5));
          const failed = (await scheduler.runOnce(at(s + 2))).filter((e) => e.kind === 'failed');
          assert.deepEqual(failed, []);
          if (s === BASELINE_TICK) baseline = { duckdb: await duckdbBytes(), heap: heapBytes() };
        }
      } finally {
        await scheduler.resign();
      }
      const built = (await lake.catalog.listPartitions()).filter((q) => q.view_set_name === 'log_entries' && q.file_path !== '');
      assert.ok(built.some((q) => q.end_insert_time.getTime() - q.begin_insert_time.getTime() === 60_000), 'minutes were merged');
      assert.equal(await duckdb('SELECT count(*)::DOUBLE FROM duckdb_external_file_cache()'), 0, 'no file kept in memory');
      const end = { duckdb: await duckdbBytes(), heap: heapBytes() };
      assert.ok(end.duckdb <= baseline.duckdb + MB, `DuckDB memory ${baseline.duckdb} → ${end.duckdb} bytes`);
      assert.ok(end.heap <= baseline.heap + 8 * MB, `heap ${(baseline.heap / MB).toFixed(1)} → ${(end.heap / MB).toFixed(1)} MB`);
    });
  });
}
