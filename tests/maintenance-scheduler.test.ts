/**
 * The scheduler driven tick by tick with an explicit clock over the real lakehouse (PostgreSQL and
 * PGlite, file object store): second partitions, merged into minutes, then into an hour, with row
 * counts and sums kept exactly; a crash mid-task leaves queries correct and the next tick repairs;
 * replaced files are swept after their grace period; two schedulers: one active, failover works.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { testMetadataBackends, TEST_POSTGRES_URL, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';
import { MaintenanceScheduler } from '@micromegas/backend/maintenance/scheduler/scheduler';
import { openLeaderElection } from '@micromegas/backend/maintenance/leader/open';
import { AdvisoryLockElection } from '@micromegas/backend/maintenance/leader/advisory-lock';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';
import type { MaintenanceEvent } from '@micromegas/backend/maintenance/events';
import { openCatalog, readParquet, TelemetryWriter, type CatalogUnderTest, type TestEvent, type TestProcess } from './lakehouse-fixtures.js';
import { FaultyObjectStore } from './faulty-object-store.js';
import { openTransaction } from './open-transaction.js';

const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const settings = { retentionDays: 90, batchSize: 100, tailSampling: undefined };
const DAY = 86_400_000;
/**
 * Ten o'clock two days ago. Replaced files expire by the database's clock (now + grace), so sweeps at
 * these past ticks leave them alone, and a tick an hour from now deletes them.
 */
const H = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 10 * 3_600_000;
const at = (seconds: number) => new Date(H + seconds * 1000);

/** Fails object writes under `prefix` while `failing`: a crash in the middle of building partitions. */
class FaultyStore extends FaultyObjectStore {
  failing = false;
  constructor(inner: ObjectStore, prefix: string) {
    super(inner, (key) => {
      if (this.failing && key.startsWith(prefix)) throw new Error(`injected failure writing ${key}`);
    });
  }
}

interface Lake {
  db: TestMetadataStore;
  os: TestObjectStore;
  lake: CatalogUnderTest;
  objects: FaultyStore;
}

async function openLake(metadataBackend: (typeof testMetadataBackends)[number]): Promise<Lake> {
  const [db, os] = await Promise.all([metadataBackend.open(), fileBackend.open()]);
  const objects = new FaultyStore(os.store, 'views/log_stats/');
  const lake = await openCatalog({ metadata: db.store, objects });
  return { db, os, lake, objects };
}

async function closeLake(l: Lake): Promise<void> {
  await l.lake.close();
  await Promise.all([l.db.drop(), l.os.drop()]);
}

for (const metadataBackend of testMetadataBackends) {
  describe(`maintenance scheduler (${metadataBackend.name})`, () => {
    let l: Lake;
    let scheduler: MaintenanceScheduler;
    let events: MaintenanceEvent[];
    let w: TelemetryWriter;
    let p: TestProcess;
    let logStream: string;
    const path = (key: string) => join(fileURLToPath(l.os.uri), ...key.split('/'));

    /** The global partitions of a view set with a file: widths in seconds, rows, and their files' paths. */
    const partitions = async (viewSet: string) => {
      const rows = (await l.lake.catalog.listPartitions()).filter((p) => p.view_set_name === viewSet && p.view_instance_id === 'global' && p.file_path !== '');
      return {
        widths: rows.map((p) => (p.end_insert_time.getTime() - p.begin_insert_time.getTime()) / 1000),
        rows: rows.reduce((n, p) => n + p.num_rows, 0),
        files: rows.map((p) => path(p.file_path)),
        disjoint: rows.every((p, i) => i === 0 || rows[i - 1]!.end_insert_time <= p.begin_insert_time),
      };
    };
    const sumOf = async (viewSet: string, expr: string) => {
      const { files } = await partitions(viewSet);
      const [row] = await readParquet(files, `SELECT ${expr} AS v FROM {files}`);
      return Number(row?.['v'] ?? 0);
    };
    const tick = async (seconds: number) => {
      events = await scheduler.runOnce(at(seconds));
      const failures = events.filter((e) => e.kind === 'failed');
      return failures;
    };

    before(async () => {
      l = await openLake(metadataBackend);
      scheduler = new MaintenanceScheduler({
        election: new LeaseElection(l.db.store), catalog: l.lake.catalog, db: l.db.store, objects: l.objects, settings,
      });
      w = new TelemetryWriter(l.db.store, l.objects);
      p = await w.process();
      logStream = await w.stream(p, ['log']);
      const metricStream = await w.stream(p, ['metrics']);
      const logs = (n: number, level: number): TestEvent[] =>
        Array.from({ length: n }, (_, i) => ({ kind: 'log', ticks: p.start_ticks + 1000 * (i + 1), level, target: 'game', msg: `m${i}` }));
      const measures = (...values: number[]): TestEvent[] =>
        values.map((value, i) => ({ kind: 'measure', ticks: p.start_ticks + 1000 * (i + 1), desc: { name: 'frame_ms', unit: 'ms', target: 'game' }, value }));
      const place = [
        [await w.block(p, logStream, logs(3, 4)), 0.5],
        [await w.block(p, metricStream, measures(1.5, 2.5)), 0.7],
        [await w.block(p, logStream, logs(2, 2)), 1.5],
        [await w.block(p, logStream, logs(4, 3)), 2.2],
        [await w.block(p, logStream, logs(5, 4)), 61],
        [await w.block(p, metricStream, measures(10)), 62],
        [await w.block(p, logStream, logs(1, 4)), 125],
      ] as const;
      for (const [block, second] of place) await w.setInsertTime([block.block_id], at(second));
    });
    after(async () => { await closeLake(l); });

    it('builds each second at the tick just after it, and checks the one before again', async () => {
      const secondTick = (viewSet: string) => {
        const built = events.find((e) => e.kind === 'materialize' && e.schedule === 'second' && e.viewSet === viewSet);
        assert.ok(built?.kind === 'materialize');
        return { begin: built.begin, end: built.end, partitions: built.partitions, rows: built.rows };
      };
      assert.deepEqual(await tick(2), []);
      assert.deepEqual(secondTick('log_entries'), { begin: at(0), end: at(2), partitions: 2, rows: 5 });
      assert.deepEqual(await tick(3), []);
      assert.deepEqual(secondTick('log_entries'), { begin: at(1), end: at(3), partitions: 1, rows: 6 }, 'the second just completed, not the one built already');
      assert.deepEqual(await tick(4), []);
      assert.ok(!events.some((e) => e.kind === 'materialize' && e.schedule === 'second'), 'nothing inserted in its last second: the tick has nothing to do');
      const logEntries = await partitions('log_entries');
      assert.deepEqual(logEntries.widths, [1, 1, 1]);
      assert.equal(logEntries.rows, 9);
      assert.equal(await sumOf('log_stats', 'sum(count)'), 9);
      assert.equal(await sumOf('measures', 'sum(value)'), 4);
    });

    it('merges a minute of second partitions into one, keeping rows and sums', async () => {
      const decoded = l.lake.catalog.materializer.stats.events;
      assert.deepEqual(await tick(60), []);
      assert.equal(l.lake.catalog.materializer.stats.events, decoded, 'merged from the second partitions\' files: no block decoded again');
      const logEntries = await partitions('log_entries');
      assert.deepEqual(logEntries.widths, [60]);
      assert.equal(logEntries.rows, 9);
      assert.equal(await sumOf('log_stats', 'sum(count)'), 9);
      assert.deepEqual(await readParquet((await partitions('log_stats')).files, 'SELECT level, sum(count)::INT AS n FROM {files} GROUP BY level ORDER BY level'),
        [{ level: 2, n: 2 }, { level: 3, n: 4 }, { level: 4, n: 3 }]);
      assert.equal(await sumOf('measures', 'sum(value)'), 4);
      const expired = await l.db.store.query<{ n: number }>("SELECT count(*)::int AS n FROM lakehouse_expired_files WHERE file_path LIKE 'views/log_entries/%'");
      assert.equal(expired[0]!.n, 3, 'the three replaced second partitions wait out their grace period');
      assert.deepEqual(await tick(120), []);
      assert.deepEqual((await partitions('log_entries')).widths, [60, 60]);
    });

    it('a crash while merging the hour leaves queries correct, and the next hour tick repairs', async () => {
      l.objects.failing = true;
      const failures = await tick(3600 + 120);
      l.objects.failing = false;
      // The hour tick fails, and so does the minute tick, which reaches back to the minute at 120 (its
      // ticks since were skipped) to merge the minute at 10:02.
      assert.ok(failures.some((e) => e.kind === 'failed' && e.task === 'materialize' && e.schedule === 'hour'), JSON.stringify(failures));
      assert.ok(failures.every((e) => e.kind === 'failed' && e.task === 'materialize' && ['minute', 'hour'].includes(e.schedule) && e.viewSet === 'log_stats'), JSON.stringify(failures));
      // log_entries merged, log_stats not: each still counts every row exactly once.
      const logEntries = await partitions('log_entries');
      assert.deepEqual(logEntries.widths, [3600]);
      assert.equal(logEntries.rows, 15);
      const stats = await partitions('log_stats');
      assert.ok(stats.disjoint);
      assert.equal(await sumOf('log_stats', 'sum(count)'), 9 + 5, 'the minute partitions built before the crash are intact');

      const decoded = l.lake.catalog.materializer.stats.events;
      assert.deepEqual(await tick(2 * 3600 + 120), []);
      assert.equal(l.lake.catalog.materializer.stats.events, decoded, 'the repair merges partitions: no block decoded');
      assert.deepEqual((await partitions('log_stats')).widths, [3600]);
      assert.equal(await sumOf('log_stats', 'sum(count)'), 15);
      // Level 4 logs of the same event minute came in three insert minutes: the merge summed them into one row.
      assert.equal((await partitions('log_stats')).rows, 3);
      assert.deepEqual(await readParquet((await partitions('log_stats')).files, 'SELECT level, count::INT AS n FROM {files} ORDER BY level'),
        [{ level: 2, n: 2 }, { level: 3, n: 4 }, { level: 4, n: 9 }]);
      assert.deepEqual((await partitions('log_entries')).widths, [3600]);
      assert.equal((await partitions('log_entries')).rows, 15);
      assert.equal(await sumOf('measures', 'sum(value)'), 14);
      assert.equal(await sumOf('measures', 'count(*)'), 3);
    });

    it('sweeps replaced files after their grace period, leaving exactly the live partitions and payloads', async () => {
      const listedFiles = async () => (await l.db.store.query<{ file_path: string }>('SELECT file_path FROM lakehouse_expired_files')).map((f) => f.file_path);
      // Packs are listed as they are written; those that block rows refer to are kept, only taken off the list.
      const packs = (await l.db.store.query<{ k: string }>('SELECT DISTINCT payload_key AS k FROM blocks')).map((r) => r.k);
      const due = (await listedFiles()).filter((key) => !packs.includes(key));
      assert.ok(due.length > 0);
      events = await scheduler.runOnce(new Date(Date.now() + 3_600_000));
      assert.deepEqual(events.filter((e) => e.kind === 'failed'), []);
      const sweep = events.find((e) => e.kind === 'sweep');
      assert.ok(sweep?.kind === 'sweep' && sweep.files >= due.length);
      // Every file that was due is gone; still listed is only what this very tick replaced (its day
      // tick may merge the metadata views' hours), not yet due.
      const listed = await listedFiles();
      for (const key of due) assert.ok(!listed.includes(key) && !(await l.os.store.exists(key)), key);
      for (const key of packs) assert.ok(!listed.includes(key) && (await l.os.store.exists(key)), key);
      const live = (await l.lake.catalog.listPartitions()).flatMap((p) => (p.file_path === '' ? [] : [p.file_path]));
      const views: string[] = [];
      for await (const key of l.os.store.list('views/')) views.push(key);
      assert.deepEqual(views.sort(), [...live, ...listed].sort());
    });

    it('the day tick merges the metadata views into a day and leaves the per-event views and their stats in hours', async () => {
      // The day tick after H's day, at 00:10 the day after (the sweep's tick above may have been it already).
      assert.deepEqual(await tick(14 * 3600 + 600), []);
      const daySets = events.filter((e) => e.kind === 'materialize' && e.schedule === 'day').map((e) => e.kind === 'materialize' && e.viewSet);
      assert.deepEqual(daySets, ['blocks', 'processes', 'streams']);
      assert.deepEqual((await partitions('blocks')).widths, [86_400]);
      for (const viewSet of ['log_entries', 'measures', 'log_stats', 'measure_stats']) assert.deepEqual((await partitions(viewSet)).widths, [3600], viewSet);
      assert.equal(await sumOf('log_stats', 'sum(count)'), 15);
    });

    it('makes a block visible in the global partitions at the first tick after its second', async () => {
      const late = 30 * 3600; // a day after H: no partition of any width covers it yet
      const block = await w.block(p, logStream, [{ kind: 'log', ticks: p.start_ticks + 1, level: 1, target: 'game', msg: 'fresh' }]);
      await w.setInsertTime([block.block_id], at(late + 0.4));
      const fresh = async () => {
        const [row] = await readParquet((await partitions('log_entries')).files, "SELECT count(*)::INT AS n FROM {files} WHERE msg = 'fresh'");
        return row?.['n'] ?? 0;
      };
      assert.deepEqual(await tick(late + 1), []);
      assert.equal(await fresh(), 1, 'the tick just after its second builds it: 0.6 s after its insertion');
      const covering = (await l.lake.catalog.listPartitions()).filter((q) => q.view_set_name === 'log_entries' && q.begin_insert_time.getTime() === at(late).getTime());
      assert.deepEqual(covering.map((q) => (q.end_insert_time.getTime() - q.begin_insert_time.getTime()) / 1000), [1]);
    });

    it('queries between ticks build up to their last block, the scheduler adds only what came after, and every row is seen once', async () => {
      const base = 26 * 3600; // an hour no earlier test wrote in, before the database's clock (ticks build closed seconds only)
      const place = async (second: number, msg: string) => {
        const block = await w.block(p, logStream, [{ kind: 'log', ticks: p.start_ticks + 7, level: 4, target: 'live', msg }]);
        await w.setInsertTime([block.block_id], at(base + second));
      };
      const inMinute = async () => {
        const rows = (await l.lake.catalog.listPartitions()).filter((q) => q.view_set_name === 'log_entries' && q.view_instance_id === 'global'
          && q.begin_insert_time >= at(base) && q.begin_insert_time < at(base + 60));
        return rows.map((q) => [(q.begin_insert_time.getTime() - at(base).getTime()) / 1000, (q.end_insert_time.getTime() - at(base).getTime()) / 1000]);
      };
      const seen = async () => {
        const files = await l.lake.catalog.partitionsFor('log_entries', 'global', {});
        return (await readParquet(files.map((f) => f.path), "SELECT msg FROM {files} WHERE target = 'live' ORDER BY msg")).map((r) => r['msg']);
      };
      const built = (viewSet: string) => events.filter((e) => e.kind === 'materialize' && e.viewSet === viewSet && e.schedule === 'second')
        .reduce((n, e) => n + (e.kind === 'materialize' ? e.partitions : 0), 0);

      await place(0.2, 'a');
      await place(1.5, 'b');
      assert.deepEqual(await seen(), ['a', 'b']);
      assert.deepEqual(await inMinute(), [[0, 1.501]], 'the query built from the second of its first block to just after its last');
      await place(1.7, 'c');
      assert.deepEqual(await tick(base + 2), []);
      assert.equal(built('log_entries'), 1, 'the scheduler keeps the partition the query built; the block inserted after its last one gets a piece of its own');
      await place(3.1, 'd');
      assert.deepEqual(await seen(), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await inMinute(), [[0, 1.501], [1.501, 2], [3, 3.101]], 'nothing built twice; the second tick leaves pieces to the minute');
      assert.deepEqual(await tick(base + 4), []);
      assert.deepEqual(await tick(base + 5), []);
      const decoded = l.lake.catalog.materializer.stats.events;
      assert.deepEqual(await tick(base + 120), []);
      assert.equal(l.lake.catalog.materializer.stats.events, decoded);
      assert.deepEqual(await inMinute(), [[0, 60]]);
      assert.deepEqual(await seen(), ['a', 'b', 'c', 'd']);
    });

    it('two schedulers: one is active; the other takes over when it dies', async () => {
      await scheduler.resign();
      const open = () => {
        const election = openLeaderElection(l.db.options, l.db.store);
        return { election, scheduler: new MaintenanceScheduler({ election, catalog: l.lake.catalog, db: l.db.store, objects: l.objects, settings }) };
      };
      const a = open();
      const b = open();
      try {
        const first = await a.scheduler.runOnce(at(0));
        assert.deepEqual(first[0], { kind: 'leadership', leader: true, election: a.election.description });
        assert.ok(first.some((e) => e.kind === 'materialize'));
        assert.deepEqual(await b.scheduler.runOnce(at(0.5)), [{ kind: 'leadership', leader: false, election: b.election.description }]);
        assert.deepEqual(await b.scheduler.runOnce(at(1)), [], 'still standing by, nothing done');
        // The second [1, 2) holds a block (the tick at 1 has an empty second: nothing to build).
        assert.ok((await a.scheduler.runOnce(at(3))).some((e) => e.kind === 'materialize'));

        // a dies: its database session ends (PostgreSQL), or it stops renewing its lease (PGlite).
        let takeover: Date;
        if (a.election instanceof AdvisoryLockElection) {
          const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
          await admin.connect();
          const pid = await a.election.backendPid();
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
          // The backend ends (and its lock goes) a moment after being told to: wait for it.
          while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount) await new Promise((resolve) => setTimeout(resolve, 20));
          await admin.end();
          takeover = at(2);
        } else {
          assert.ok(a.election instanceof LeaseElection);
          takeover = at(3 + a.election.ttlSeconds);
        }
        const after = await b.scheduler.runOnce(takeover);
        assert.deepEqual(after[0], { kind: 'leadership', leader: true, election: b.election.description });
        assert.ok(after.some((e) => e.kind === 'materialize'));
        assert.equal(b.scheduler.leader, true);
      } finally {
        await a.scheduler.resign().catch(() => {});
        await b.scheduler.resign();
      }
    });
  });
}

describe('maintenance scheduler: seconds still open (postgres)', () => {
  let l: Lake;
  before(async () => { l = await openLake(testMetadataBackends.find((b) => b.name === 'postgres')!); });
  after(async () => { await closeLake(l); });

  it('leaves a second to a later tick while a transaction that could still insert into it is open', async () => {
    const scheduler = new MaintenanceScheduler({ election: new LeaseElection(l.db.store), catalog: l.lake.catalog, db: l.db.store, objects: l.objects, settings });
    const w = new TelemetryWriter(l.db.store, l.objects);
    const p = await w.process();
    const stream = await w.stream(p, ['log']);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const untilSecondPlus = (ms: number) => sleep(1000 - (Date.now() % 1000) + ms);
    const seen = async () => {
      const files = (await l.lake.catalog.listPartitions()).filter((q) => q.view_set_name === 'log_entries' && q.view_instance_id === 'global' && q.file_path !== '');
      const rows = await readParquet(files.map((q) => join(fileURLToPath(l.os.uri), ...q.file_path.split('/'))), "SELECT count(*)::INT AS n FROM {files} WHERE msg = 'while open'");
      return rows[0]?.['n'] ?? 0;
    };

    const inFlight = await openTransaction(l.db.options.kind === 'postgres' ? l.db.options.schema! : '');
    await inFlight.executor.query('SELECT now()');
    await untilSecondPlus(300);
    await w.block(p, stream, [{ kind: 'log', ticks: p.start_ticks + 1, level: 4, target: 'game', msg: 'while open' }]);
    await untilSecondPlus(300);
    await scheduler.runOnce(new Date());
    assert.equal(await seen(), 0, 'the block\'s second is complete, but the open transaction began before it');
    await inFlight.commit();
    await untilSecondPlus(300);
    await scheduler.runOnce(new Date());
    assert.equal(await seen(), 1, 'built at the first tick after the transaction ended');
    await scheduler.resign();
  });
});

for (const metadataBackend of testMetadataBackends) {
  describe(`maintenance scheduler: merges in steps between second ticks (${metadataBackend.name})`, () => {
    let l: Lake;
    let scheduler: MaintenanceScheduler;
    before(async () => {
      l = await openLake(metadataBackend);
      scheduler = new MaintenanceScheduler({ election: new LeaseElection(l.db.store), catalog: l.lake.catalog, db: l.db.store, objects: l.objects, settings });
      const w = new TelemetryWriter(l.db.store, l.objects);
      const p = await w.process();
      const stream = await w.stream(p, ['log']);
      for (const second of [0.5, 1.5, 60.5, 61.5]) {
        const block = await w.block(p, stream, [{ kind: 'log', ticks: p.start_ticks + 1, level: 4, target: 'game', msg: `at ${second}` }]);
        await w.setInsertTime([block.block_id], at(second));
      }
    });
    after(async () => { await closeLake(l); });

    const widths = async () => (await l.lake.catalog.listPartitions())
      .filter((q) => q.view_set_name === 'log_entries' && q.view_instance_id === 'global' && q.file_path !== '')
      .map((q) => [(q.begin_insert_time.getTime() - H) / 1000, (q.end_insert_time.getTime() - H) / 1000]);
    /** What a tick did, in order: `schedule:viewSet` for builds, the kind for chores. */
    const steps = (events: MaintenanceEvent[]) => events.flatMap((e) => {
      assert.notEqual(e.kind, 'failed', JSON.stringify(e));
      return e.kind === 'materialize' ? [`${e.schedule}:${e.viewSet}`] : e.kind === 'leadership' ? [] : [e.kind];
    });
    const minuteSteps = ['blocks', 'processes', 'streams', 'log_entries', 'measures', 'otel_spans', 'log_stats', 'measure_stats'].map((v) => `minute:${v}`);

    it('runs the second tick whole at every call, and a minute tick a step a call, before an hour tick', async () => {
      // The first call finds every schedule due; without a budget it runs them all.
      assert.ok(steps(await scheduler.runOnce(at(2))).includes('second:log_entries'));
      assert.deepEqual(await widths(), [[0, 1], [1, 2]]);

      // The minute tick at 60 starts with one step; its next ticks wait for it to finish.
      assert.deepEqual(steps(await scheduler.runOnce(at(60), { stepBudgetMs: 0 })), [minuteSteps[0]]);
      const second = steps(await scheduler.runOnce(at(62), { stepBudgetMs: 0 }));
      assert.deepEqual(second.at(-1), minuteSteps[1], 'one step of the minute, after the second tick');
      assert.ok(second.slice(0, -1).length > 0 && second.slice(0, -1).every((s) => s.startsWith('second:')), second.join());
      assert.deepEqual(await widths(), [[0, 1], [1, 2], [60, 61], [61, 62]], 'the seconds are built while the minute is not merged yet');
      // At 180 the minute tick at 60 is still running (its tick at 120 was skipped) and the hour tick at
      // 10:00 comes due (its delay is 2 minutes): it waits behind the minute's steps.
      const rest: string[] = [];
      for (let i = 0; i < 8; i++) rest.push(...steps(await scheduler.runOnce(at(180 + i * 0.1), { stepBudgetMs: 0 })));
      assert.deepEqual(rest, [...minuteSteps.slice(2), 'sweep', 'vacuum']);
      assert.deepEqual(await widths(), [[0, 60], [60, 61], [61, 62]]);

      // The minute tick at 240 reaches back to where the one at 60 ended, so the minute at 60, whose
      // tick was skipped, is merged; it runs before the hour tick that came due earlier.
      const whole = steps(await scheduler.runOnce(at(241)));
      assert.deepEqual(whole.filter((s) => !s.startsWith('second:')),
        [...minuteSteps, 'sweep', 'vacuum', ...minuteSteps.map((s) => s.replace('minute:', 'hour:')), 'retention']);
      assert.deepEqual(await widths(), [[0, 60], [60, 120]]);
    });
  });
}
