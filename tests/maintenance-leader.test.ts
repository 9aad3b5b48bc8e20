/**
 * One active scheduler per lake: the PostgreSQL advisory lock (real server, key derived from a
 * schema name of the test's own) and the lease row (PostgreSQL and PGlite, driven by an explicit clock).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testMetadataBackends, TEST_POSTGRES_URL, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { AdvisoryLockElection, schedulerLockKey } from '@micromegas/backend/maintenance/leader/advisory-lock';
import { LeaseElection } from '@micromegas/backend/maintenance/leader/lease';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 12) + seconds * 1000);

describe('advisory-lock election (postgres)', () => {
  const key = schedulerLockKey(`t_${randomBytes(6).toString('hex')}`);
  const elections: AdvisoryLockElection[] = [];
  const open = () => {
    const e = new AdvisoryLockElection(TEST_POSTGRES_URL, key);
    elections.push(e);
    return e;
  };
  after(async () => { await Promise.all(elections.map((e) => e.release())); });

  it('derives distinct keys from distinct schemas, the same key from the same one', () => {
    assert.equal(schedulerLockKey('lake_a'), schedulerLockKey('lake_a'));
    assert.notEqual(schedulerLockKey('lake_a'), schedulerLockKey('lake_b'));
  });

  it('elects one instance; the other takes over after a release', async () => {
    const a = open();
    const b = open();
    assert.equal(await a.lead(), true);
    assert.equal(await b.lead(), false);
    assert.equal(await a.lead(), true, 'the leader stays leader');
    await a.release();
    assert.equal(await b.lead(), true);
    assert.equal(await a.lead(), false);
    await b.release();
  });

  it('fails over when the leader\'s connection dies (crash), and the old leader learns it lost', async () => {
    const a = open();
    const b = open();
    assert.equal(await a.lead(), true);
    assert.equal(await b.lead(), false);
    const pid = await a.backendPid();
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      // Without a timeout pg_terminate_backend only signals, and the session (with its lock) may
      // outlive the call; with one it returns once the backend has exited (at most 10 s).
      const [row] = (await admin.query<{ gone: boolean }>('SELECT pg_terminate_backend($1, 10000) AS gone', [pid])).rows;
      assert.equal(row?.gone, true, 'the leader backend exited');
    } finally {
      await admin.end();
    }
    assert.equal(await b.lead(), true, 'the waiting instance takes over');
    // The old leader's next check fails on its dead connection, then it finds the lock taken.
    const again = await a.lead().catch(() => a.lead());
    assert.equal(again, false);
    await b.release();
    await a.release();
  });
});

for (const backend of testMetadataBackends) {
  describe(`lease election (${backend.name})`, () => {
    let db: TestMetadataStore;
    before(async () => { db = await backend.open(); });
    after(async () => { await db.drop(); });

    it('elects one holder, renews it, and hands over only after expiry', async () => {
      const a = new LeaseElection(db.store, 'scheduler', 30);
      const b = new LeaseElection(db.store, 'scheduler', 30);
      assert.equal(await a.lead(at(0)), true);
      assert.equal(await b.lead(at(1)), false);
      assert.equal(await a.lead(at(20)), true, 'renewed until 50 s');
      assert.equal(await b.lead(at(40)), false, 'not expired: renewed at 20 s');
      // a stops renewing (crashed): b takes over once the lease has expired.
      assert.equal(await b.lead(at(50)), true);
      assert.equal(await a.lead(at(51)), false, 'the old holder has lost it');
      assert.equal(await b.lead(at(60)), true);
    });

    it('hands over at once on release; leases of other names are independent', async () => {
      const a = new LeaseElection(db.store, 'release-test', 30);
      const b = new LeaseElection(db.store, 'release-test', 30);
      const other = new LeaseElection(db.store, 'other-lake', 30);
      assert.equal(await a.lead(at(0)), true);
      assert.equal(await other.lead(at(0)), true);
      assert.equal(await b.lead(at(1)), false);
      await a.release();
      assert.equal(await b.lead(at(2)), true);
    });
  });
}
