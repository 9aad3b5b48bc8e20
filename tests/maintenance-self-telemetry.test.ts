/**
 * The scheduler's own metrics through the backend's own telemetry: the SDK, pointed at a real
 * ingestion service, records each task; the lake it maintains then holds them in `measures`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tracing from '@micromegas/tracing';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { recordEventMetrics } from '@micromegas/backend/maintenance/event-metrics';
import { startIngestion, storageMatrix, type IngestionUnderTest } from './ingestion-fixtures.js';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest } from './lakehouse-fixtures.js';

const storage = storageMatrix.find((s) => s.name === 'postgres + file')!;

describe('maintenance metrics in the backend\'s own telemetry', () => {
  let ingestion: IngestionUnderTest;
  let lake: CatalogUnderTest;
  before(async () => {
    ingestion = await startIngestion(storage.metadata, storage.objects);
    lake = await openCatalog({ metadata: ingestion.db.store, objects: ingestion.os.store });
  });
  after(async () => {
    await lake.close();
    await ingestion.close();
  });

  it('records what each task did as measures of the backend process', async () => {
    tracing.init({ url: ingestion.url, exe: 'micromegas-backend', flushPeriodMs: 60_000 });
    // A game's logs in the window of the minute tick at 13:00 ([12:58, 12:59)): work worth recording.
    const writer = new TelemetryWriter(ingestion.db.store, ingestion.os.store);
    const game = await writer.process();
    const block = await writer.block(game, await writer.stream(game, ['log']), [{ kind: 'log', ticks: game.start_ticks + 1000, level: 4, target: 'game', msg: 'hello' }]);
    await writer.setInsertTime([block.block_id], new Date(Date.UTC(2026, 10, 23, 12, 58, 30)));
    const scheduler = new MaintenanceScheduler({
      election: new LeaseElection(ingestion.db.store), catalog: lake.catalog, db: ingestion.db.store, objects: ingestion.os.store,
      settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined }, onEvent: recordEventMetrics(tracing),
      ownProcessId: () => tracing.processId(),
    });
    const events = await scheduler.runOnce(new Date(Date.UTC(2026, 10, 23, 13, 0, 0)));
    await scheduler.resign();
    assert.equal(await tracing.shutdown(10_000), true, 'delivered');

    const files = await lake.catalog.partitionsFor('measures', 'global', {});
    const rows = await readParquet(files.map((f) => f.path),
      `SELECT name, count(*)::INT AS n FROM {files} WHERE exe = 'micromegas-backend' GROUP BY name ORDER BY name`);
    const counts = Object.fromEntries(rows.map((r) => [r['name'], r['n']]));
    // Materializations that built something; those that found nothing to do record nothing.
    const materialized = events.filter((e) => e.kind === 'materialize' && e.partitions > 0).length;
    assert.ok(materialized > 0 && materialized < events.filter((e) => e.kind === 'materialize').length);
    assert.equal(counts['maintenance_partitions_built'], materialized);
    assert.equal(counts['maintenance_leader'], 1);
    // One duration per materialization that built something, plus the retention chore of this first
    // tick (the sweep deleted nothing).
    assert.equal(counts['maintenance_task_duration'], materialized + 1);
    assert.equal(counts['maintenance_blocks_deleted'], 1);
  });
});
