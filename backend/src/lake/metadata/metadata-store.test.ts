import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from './test-stores.js';
import { migrate, MigrationOrderError, SchemaTooNewError } from './migrate.js';
import { migrations } from './migrations/index.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetadataStore } from './open.js';
import { DataDirLockedError } from './data-dir-lock.js';

const latest = migrations.at(-1)!.version;

for (const backend of testMetadataBackends) {
  describe(`metadata store (${backend.name})`, () => {
    let db: TestMetadataStore;
    before(async () => { db = await backend.open(); });
    after(async () => { await db.drop(); });

    it('applies every migration at open and records it', async () => {
      const rows = await db.store.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), migrations.map((m) => m.version));
      const tables = await db.store.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`);
      for (const name of ['blocks', 'processes', 'streams']) assert.ok(tables.some((t) => t.table_name === name), name);
    });

    it('is idempotent: migrating again applies nothing, even concurrently', async () => {
      const runs = await Promise.all([migrate(db.store, migrations), migrate(db.store, migrations)]);
      assert.deepEqual(runs, [[], []]);
    });

    it('maps column types the same way on both drivers', async () => {
      const ns = 1_763_900_000_123_456_789n;
      await db.store.query(
        `INSERT INTO processes (process_id, exe, username, realname, computer, distro, cpu_brand, tsc_frequency,
           start_time, start_time_ns, start_ticks, parent_process_id, properties)
         VALUES ($1, 'exe', 'u', 'r', 'c', 'd', 'cpu', $2, $3, $4, $5, '', $6)`,
        ['p-types', 1_000_000_000, '2025-11-23T12:13:20.123456Z', ns, 42n, JSON.stringify([{ key: 'k', value: 'v' }])]);
      await db.store.query(
        `INSERT INTO streams (stream_id, process_id, dependencies_metadata, objects_metadata, tags, properties)
         VALUES ('s-types', 'p-types', $1, $2, $3, '[]')`,
        [new Uint8Array([1, 2, 3]), new Uint8Array(0), ['log', 'cpu']]);
      const [p] = await db.store.query('SELECT * FROM processes WHERE process_id = $1', ['p-types']);
      assert.equal(p!['tsc_frequency'], 1_000_000_000);
      assert.equal(p!['start_ticks'], 42);
      assert.equal(p!['start_time_ns'], ns);
      assert.ok(p!['start_time'] instanceof Date);
      assert.equal((p!['start_time'] as Date).toISOString(), '2025-11-23T12:13:20.123Z');
      assert.ok(p!['insert_time'] instanceof Date);
      assert.deepEqual(p!['properties'], [{ key: 'k', value: 'v' }]);
      const [s] = await db.store.query('SELECT * FROM streams WHERE stream_id = $1', ['s-types']);
      assert.deepEqual([...(s!['dependencies_metadata'] as Uint8Array)], [1, 2, 3]);
      assert.ok(s!['objects_metadata'] instanceof Uint8Array);
      assert.deepEqual(s!['tags'], ['log', 'cpu']);
      const [count] = await db.store.query<{ n: unknown }>('SELECT count(*) AS n FROM streams');
      assert.equal(count!.n, 1);
    });

    it('rolls a failed transaction back entirely', async () => {
      await assert.rejects(db.store.transaction(async (tx) => {
        await tx.query(`INSERT INTO processes (process_id, exe, username, realname, computer, distro, cpu_brand,
          tsc_frequency, start_time, start_time_ns, start_ticks, parent_process_id, properties)
          VALUES ('p-rollback', '', '', '', '', '', '', 1, now(), 0, 0, '', '[]')`);
        throw new Error('abort');
      }), /abort/);
      const rows = await db.store.query('SELECT 1 FROM processes WHERE process_id = $1', ['p-rollback']);
      assert.equal(rows.length, 0);
      // the store is still usable after the rollback
      assert.deepEqual(await db.store.transaction((tx) => tx.query('SELECT 7 AS x')), [{ x: 7 }]);
    });

    it('refuses a migration list out of order and a schema newer than it knows', async () => {
      const [first] = migrations;
      await assert.rejects(migrate(db.store, [{ ...first!, version: 2 }, { ...first!, version: 1 }]), MigrationOrderError);
      await db.store.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [latest + 1000, 'future']);
      await assert.rejects(migrate(db.store, migrations), SchemaTooNewError);
      await db.store.query('DELETE FROM schema_migrations WHERE version = $1', [latest + 1000]);
    });

    it('answers ping', async () => {
      await db.store.ping();
    });
  });
}

describe('PGlite data directory', () => {
  it('is opened by one store at a time, and a lock left by a dead process is taken over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-pglite-'));
    const dataDir = join(dir, 'pg');
    try {
      const first = await openMetadataStore({ kind: 'pglite', dataDir });
      await assert.rejects(openMetadataStore({ kind: 'pglite', dataDir }), (err: unknown) =>
        err instanceof DataDirLockedError && err.pid === process.pid);
      await first.close();
      // pid_max is at most 2^22 on Linux, so this owner cannot be alive
      await writeFile(`${dataDir}.lock`, String(2 ** 22 + 1));
      const second = await openMetadataStore({ kind: 'pglite', dataDir });
      await second.query('SELECT 1 FROM processes');
      await second.close();
      await assert.rejects(readFile(`${dataDir}.lock`), { code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
