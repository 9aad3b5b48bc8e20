/**
 * The vacuum chore on PostgreSQL and PGlite, over the partition churn of the scheduler's merges
 * (./partition-churn.ts). Statistics reach `pg_stat_user_tables` when a session goes idle, at most
 * once a second unless forced: the churn forces it at the end of each transaction, so that what the
 * chore reads does not depend on timing.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import { PartitionIndex } from '@micromegas/backend/views/partition-index';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { schedules } from '@micromegas/backend/maintenance/scheduler/schedules';
import { tickLines, type MaintenanceEvent } from '@micromegas/backend/maintenance/events';
import { recordEventMetrics } from '@micromegas/backend/maintenance/event-metrics';
import { churnMinute } from './partition-churn.js';
import { tableActivity, vacuumMetadata, VACUUMED_TABLES } from '@micromegas/backend/maintenance/vacuum/vacuum';
import type { TableActivity } from '@micromegas/backend/maintenance/vacuum/upkeep';

const VIEW_SETS = ['blocks', 'log_entries', 'measures'];
/** A minute boundary a month ago. */
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 86_400_000;

/** `store` whose transactions publish their statistics as they commit. */
function flushingStats(store: MetadataStore): MetadataStore {
  return {
    kind: store.kind, query: store.query, ping: () => store.ping(), close: () => store.close(),
    transaction: (fn) => store.transaction(async (tx) => {
      const result = await fn(tx);
      await tx.query('SELECT pg_stat_force_next_flush()');
      return result;
    }),
  };
}

async function partitionsBytes(db: MetadataStore): Promise<number> {
  const [row] = await db.query<{ bytes: number }>("SELECT pg_total_relation_size('lakehouse_partitions') AS bytes");
  return Number(row!.bytes);
}

/**
 * PostgreSQL's test database is shared with the test files running beside this one, and VACUUM keeps
 * every dead row a snapshot open anywhere in the database may still see: waits (at most 30 s) until no
 * other session holds a snapshot or a transaction begun before now, so that what the chore reclaims
 * does not depend on them.
 */
async function othersCaughtUp(db: MetadataStore): Promise<void> {
  const [now] = await db.query<{ xid: string }>('SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::int8 % 4294967296)::text AS xid');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const [older] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND (backend_xmin::text::int8 < $1::int8 OR backend_xid::text::int8 < $1::int8)`, [now!.xid]);
    if (older!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function partitionsActivity(db: MetadataStore): Promise<TableActivity> {
  const [partitions] = await tableActivity(db, ['lakehouse_partitions']);
  return partitions!;
}

for (const backend of testMetadataBackends) {
  describe(`metadata vacuum (${backend.name})`, () => {
    let db: TestMetadataStore;
    let index: PartitionIndex;
    beforeEach(async () => {
      db = await backend.open();
      index = new PartitionIndex(flushingStats(db.store));
    });
    afterEach(async () => { await db.drop(); });
    const churn = (minute: number) => churnMinute(index, { viewSets: VIEW_SETS, minuteMs: T0 + minute * 60_000, retireMinuteMs: T0 + (minute - 2) * 60_000 });

    it('reads the activity of every table it tends, and finds nothing to do on a fresh store', async () => {
      assert.deepEqual((await tableActivity(db.store, VACUUMED_TABLES)).map((a) => a.table), VACUUMED_TABLES);
      assert.deepEqual(await vacuumMetadata(db.store), { frozeDatabaseAt: undefined, vacuumed: [], analyzed: [], deadTuples: 0 });
    });

    it(backend.name === 'pglite'
      ? 'freezes the whole PGlite database once its oldest unfrozen transaction id is old enough'
      : 'leaves freezing to PostgreSQL, which does it even with autovacuum off', async () => {
      const xidAge = async () => Number((await db.store.query<{ age: number }>(
        'SELECT age(datfrozenxid) AS age FROM pg_database WHERE datname = current_database()'))[0]!.age);
      await churn(0);
      const before = await xidAge();
      const report = await vacuumMetadata(db.store, { freezeAge: 0 });
      if (backend.name === 'pglite') {
        assert.equal(report.frozeDatabaseAt, before);
        assert.ok(await xidAge() < before, 'every table, the catalogs too, is frozen');
        assert.match(tickLines([{ kind: 'vacuum', report, seconds: 1 }])[0]!.text, /^maintenance: froze the whole database \(oldest transaction id \d+ old\), vacuumed/);
      } else {
        assert.equal(report.frozeDatabaseAt, undefined);
      }
    });

    it('lakehouse_partitions grows with every merge while unvacuumed, and stops growing once the chore runs after each', async () => {
      const unvacuumed: number[] = [];
      for (let minute = 0; minute < 4; minute++) {
        await churn(minute);
        unvacuumed.push(await partitionsBytes(db.store));
      }
      assert.ok(unvacuumed.every((bytes, i) => i === 0 || bytes > unvacuumed[i - 1]!), `sizes ${unvacuumed.join(', ')}`);
      assert.ok((await partitionsActivity(db.store)).deadTuples > 3 * 60 * VIEW_SETS.length, 'the replaced one-second partitions are dead rows');

      const vacuumed: number[] = [];
      for (let minute = 4; minute < 10; minute++) {
        await churn(minute);
        if (backend.name === 'postgres') await othersCaughtUp(db.store);
        const report = await vacuumMetadata(db.store);
        assert.ok(report.vacuumed.includes('lakehouse_partitions') && report.analyzed.includes('lakehouse_partitions'), JSON.stringify(report));
        // On PostgreSQL a session that began meanwhile may still keep a few rows visible.
        if (backend.name === 'pglite') assert.equal((await partitionsActivity(db.store)).deadTuples, 0);
        vacuumed.push(await partitionsBytes(db.store));
      }
      // Six vacuumed minutes grow it less than one unvacuumed minute: the space of dead rows is reused.
      assert.ok(vacuumed.at(-1)! - vacuumed[0]! < unvacuumed[3]! - unvacuumed[2]!, `sizes ${unvacuumed.join(', ')}, then ${vacuumed.join(', ')}`);
    });

    it('runs in the minute schedule and reports what it did; a minute without changes does nothing and records nothing', async () => {
      const minute = schedules.find((s) => s.name === 'minute')!;
      assert.ok(minute.chores.includes('vacuum'));
      const metrics: string[] = [];
      const scheduler = new MaintenanceScheduler({
        election: new LeaseElection(db.store), catalog: { materializePartitions: async () => 0 }, db: db.store, objects: undefined as never,
        settings: { retentionDays: 90, batchSize: 100, tailSampling: undefined },
        schedules: [{ ...minute, viewSets: [], chores: ['vacuum'] }],
        onEvent: recordEventMetrics({ imetric: (name) => { metrics.push(name); }, fmetric: (name) => { metrics.push(name); } }),
      });
      const vacuumEvent = (events: MaintenanceEvent[]) => events.find((e) => e.kind !== 'leadership');
      try {
        await churn(0);
        await churn(1);
        const busy = vacuumEvent(await scheduler.runOnce(new Date(T0 + 2 * 60_000)));
        assert.ok(busy?.kind === 'vacuum', JSON.stringify(busy));
        assert.ok(busy.report.vacuumed.includes('lakehouse_partitions'));
        assert.ok(busy.report.deadTuples >= 60 * VIEW_SETS.length);
        assert.match(tickLines([busy])[0]!.text, /^maintenance: vacuumed lakehouse_partitions.* \(\d+ dead tuples\), analyzed .*lakehouse_partitions/);
        assert.deepEqual(metrics, ['maintenance_leader', 'maintenance_tables_vacuumed', 'maintenance_tables_analyzed', 'maintenance_dead_tuples', 'maintenance_task_duration']);

        metrics.length = 0;
        const idle = vacuumEvent(await scheduler.runOnce(new Date(T0 + 3 * 60_000)));
        assert.deepEqual(idle, { kind: 'vacuum', report: { frozeDatabaseAt: undefined, vacuumed: [], analyzed: [], deadTuples: 0 }, seconds: idle?.seconds });
        assert.deepEqual(tickLines([idle]), []);
        assert.deepEqual(metrics, []);
      } finally {
        await scheduler.resign();
      }
    });
  });
}
