/**
 * The maintenance must not feed on its own telemetry: driven tick by tick (PGlite and PostgreSQL,
 * file object store) with a recorder that, like the SDK, turns what the maintenance records into a
 * block of the backend's own process as the tick ends: one game block gives one round of work and
 * its telemetry, then five idle minutes record nothing more and write objects only twice (the
 * minute merge of the game's block, and the quiet minute build of the merge's own telemetry).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends } from '@micromegas/backend/lake/metadata/test-stores';
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { recordEventMetrics } from '@micromegas/backend/maintenance/event-metrics';
import { openFileLake, type TelemetryWriter, type CatalogUnderTest } from './lakehouse-fixtures.js';

/** Ten o'clock yesterday (an hour boundary): the ticks' windows are in the past. */
const H = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);

async function keys(objects: ObjectStore): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const key of objects.list('')) found.add(key);
  return found;
}

for (const metadataBackend of testMetadataBackends) {
  describe(`maintenance at idle (${metadataBackend.name})`, () => {
    let close: () => Promise<void>;
    let lake: CatalogUnderTest;
    let writer: TelemetryWriter;
    before(async () => { ({ lake, writer, close } = await openFileLake(metadataBackend)); });
    after(async () => { await close(); });

    it('records telemetry for the work a game\'s block caused; idle ticks then record nothing and write only minute builds', async () => {
      const game = await writer.process();
      const gameBlock = await writer.block(game, await writer.stream(game, ['log']), [{ kind: 'log', ticks: game.start_ticks + 1, level: 4, target: 'game', msg: 'hi' }]);
      await writer.setInsertTime([gameBlock.block_id], at(0.5));
      const own = await writer.process({ exe: 'micromegas' });
      const ownStream = await writer.stream(own, ['metrics']);
      let recorded = 0;
      const scheduler = new MaintenanceScheduler({
        election: new LeaseElection(writer.db), catalog: lake.catalog, db: writer.db, objects: writer.objects,
        settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined },
        onEvent: recordEventMetrics({ imetric: () => { recorded++; }, fmetric: () => { recorded++; } }),
        ownProcessId: () => own.process_id,
      });
      /** A tick; what it recorded becomes a block of the backend's own process, inserted as the tick ends. */
      const tick = async (second: number) => {
        const before = recorded;
        assert.deepEqual((await scheduler.runOnce(at(second))).filter((e) => e.kind === 'failed'), []);
        if (recorded === before) return;
        const block = await writer.block(own, ownStream, [{ kind: 'measure', ticks: own.start_ticks + second, desc: { name: 'n', unit: 'count', target: 'm' }, value: recorded - before }]);
        await writer.setInsertTime([block.block_id], at(second + 0.2));
      };
      const recordedAt: number[] = [];
      const wroteAt: number[] = [];
      try {
        for (let second = 2; second < 5; second++) await tick(second);
        assert.ok(recorded > 0, 'the game\'s second was materialized and recorded');
        let objects = await keys(writer.objects);
        for (let second = 5; second <= 300; second++) {
          const was = recorded;
          await tick(second);
          if (recorded !== was) recordedAt.push(second);
          const now = await keys(writer.objects);
          if ([...now].some((k) => !objects.has(k))) wroteAt.push(second);
          objects = now;
        }
      } finally {
        await scheduler.resign();
      }
      // 60: the minute merge of [0, 60), which holds the game's block; 120: the hourly chores;
      // 120 and 180: the minute ticks build [60, 120) and [120, 180), which hold only the telemetry of 60 and 120: quietly.
      assert.deepEqual(recordedAt, [60, 120]);
      assert.deepEqual(wroteAt, [60, 120, 180]);
    });
  });
}
