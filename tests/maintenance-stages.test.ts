/**
 * A tick builds the view sets of a stage at once (schedules.ts `stagesOf`) and still reports them in
 * the schedule's order; sets that may read one another stay one after the other.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { schedules, stagesOf, type Schedule } from '@micromegas/backend/maintenance/scheduler/schedules';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';

describe('maintenance stages', () => {
  it('cuts the sets into runs of sources and of built-in derived sets; a user view is a stage of its own', () => {
    const second = schedules.find((s) => s.name === 'second')!;
    assert.deepEqual(stagesOf([...second.viewSets, 'frame_stats', 'frame_stats_hourly']), [
      ['blocks', 'processes', 'streams', 'log_entries', 'measures', 'otel_spans'],
      ['log_stats', 'measure_stats'],
      ['frame_stats'],
      ['frame_stats_hourly'],
    ]);
    assert.deepEqual(stagesOf(['log_entries', 'log_stats', 'measures']), [['log_entries'], ['log_stats'], ['measures']]);
  });

  it('builds a stage at once, the next one after it, and reports them in order', async () => {
    const log: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const finishing = new Map<string, () => void>();
    const catalog = {
      materializePartitions: async (viewSet: string) => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        log.push(`start ${viewSet}`);
        await new Promise<void>((resolve) => finishing.set(viewSet, resolve));
        running--;
        log.push(`end ${viewSet}`);
        return 0;
      },
    };
    const refusing = { query: () => Promise.reject(new Error('no database in this test')) } as unknown as MetadataStore;
    const schedule: Schedule = { name: 'minute', periodSeconds: 60, delaySeconds: 0, window: [-2, 0], viewSets: ['log_entries', 'measures', 'log_stats', 'frame_stats'], chores: [] };
    const scheduler = new MaintenanceScheduler({
      election: { description: 'always', lead: () => Promise.resolve(true), release: () => Promise.resolve() },
      catalog, db: refusing, objects: {} as ObjectStore, settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined }, schedules: [schedule],
    });
    const tick = scheduler.runOnce(new Date('2026-12-06T10:00:30Z'));
    const started = async (viewSet: string) => { while (!finishing.has(viewSet)) await new Promise((resolve) => setImmediate(resolve)); };
    await Promise.all([started('log_entries'), started('measures')]);
    finishing.get('measures')!(); // the later set of the stage ends first
    finishing.get('log_entries')!();
    await started('log_stats');
    finishing.get('log_stats')!();
    await started('frame_stats');
    finishing.get('frame_stats')!();
    const events = await tick;

    assert.deepEqual(log, ['start log_entries', 'start measures', 'end measures', 'end log_entries', 'start log_stats', 'end log_stats', 'start frame_stats', 'end frame_stats']);
    assert.equal(mostAtOnce, 2);
    assert.deepEqual(events.filter((e) => e.kind === 'materialize').map((e) => e.kind === 'materialize' && e.viewSet), ['log_entries', 'measures', 'log_stats', 'frame_stats']);
  });
});
