/**
 * `micromegas retention` and `micromegas materialize` against a real lake (PostgreSQL schema of the
 * test's own, file object store), run in process with the configuration in the environment.
 */
import { describe, it, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import { UsageError } from '../src/command.js';
import { command as retention } from '../src/commands/retention.js';
import { command as materialize } from '../src/commands/materialize.js';
import { TelemetryWriter, type TestEvent, type TestProcess } from './lakehouse-fixtures.js';

const postgres = testMetadataBackends.find((b) => b.name === 'postgres')!;
const fileBackend = testObjectBackends.find((b) => b.name === 'file')!;
const DAY = 86_400_000;

/** Runs a verb and returns its exit code and what it printed. */
async function run(verb: typeof retention, args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = mock.method(console, 'log', (...parts: unknown[]) => { lines.push(parts.join(' ')); });
  try {
    return { code: await verb.run(args), out: lines.join('\n') };
  } finally {
    log.mock.restore();
  }
}

describe('retention and materialize commands', () => {
  let db: TestMetadataStore;
  let os: TestObjectStore;
  let dataDir: string;
  const recent = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
  const blockCount = async () => (await db.store.query<{ n: number }>('SELECT count(*)::int AS n FROM blocks'))[0]!.n;

  before(async () => {
    [db, os] = await Promise.all([postgres.open(), fileBackend.open()]);
    dataDir = await mkdtemp(join(tmpdir(), 'mm-maintenance-cli-'));
    assert.ok(db.options.kind === 'postgres');
    Object.assign(process.env, {
      MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_SQL_CONNECTION_STRING: db.options.connectionString,
      MICROMEGAS_SQL_SCHEMA: db.options.schema, MICROMEGAS_OBJECT_STORE_URI: os.uri,
    });
    const w = new TelemetryWriter(db.store, os.store);
    const p: TestProcess = await w.process();
    const stream = await w.stream(p, ['log']);
    const logs = (n: number): TestEvent[] => Array.from({ length: n }, (_, i) => ({ kind: 'log', ticks: p.start_ticks + i + 1, level: 4, target: 't', msg: `m${i}` }));
    const old = [await w.block(p, stream, logs(2)), await w.block(p, stream, logs(3))];
    await w.setInsertTime(old.map((b) => b.block_id), new Date(Date.now() - 100 * DAY));
    const fresh = [await w.block(p, stream, logs(4)), await w.block(p, stream, logs(5))];
    await w.setInsertTime(fresh.map((b) => b.block_id), new Date(recent.getTime() + 30_000));
  });
  after(async () => {
    await Promise.all([db.drop(), os.drop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('retention --dry-run reports the expired blocks and deletes nothing', async () => {
    const { code, out } = await run(retention, ['--dry-run']);
    assert.equal(code, 0);
    assert.match(out, /^retention \(dry run: nothing changed\): telemetry inserted before /);
    assert.match(out, /\n {2}blocks +2 /);
    assert.equal(await blockCount(), 4);
  });

  it('retention deletes them', async () => {
    const { code, out } = await run(retention, []);
    assert.equal(code, 0);
    assert.match(out, /\n {2}blocks +2 /);
    assert.equal(await blockCount(), 2);
  });

  it('retention refuses a bad --days', async () => {
    await assert.rejects(run(retention, ['--days', 'soon']), UsageError);
  });

  it('materialize builds the range\'s partitions and reports them', async () => {
    const begin = new Date(recent.getTime() - 3_600_000).toISOString();
    const end = new Date(recent.getTime() + 3_600_000).toISOString();
    const { code, out } = await run(materialize, ['--view', 'log_entries', '--begin', begin, '--end', end, '--delta', '60']);
    assert.equal(code, 0);
    assert.match(out, /^materialized log_entries \[.*\) in partitions of 60 s: 1 built \(the rest up to date\), 9 rows, /);
    const partitions = await db.store.query<{ n: number; width: number }>(
      `SELECT num_rows::int AS n, extract(epoch FROM end_insert_time - begin_insert_time)::int AS width
       FROM lakehouse_partitions WHERE view_set_name = 'log_entries' AND file_path IS NOT NULL`);
    assert.deepEqual(partitions, [{ n: 9, width: 60 }]);
    const again = await run(materialize, ['--view', 'log_entries', '--begin', begin, '--end', end, '--delta', '60']);
    assert.match(again.out, /: 0 built \(the rest up to date\), 9 rows, /);
  });

  it('materialize refuses a view without a global instance, and a reversed range', async () => {
    await assert.rejects(run(materialize, ['--view', 'thread_spans', '--begin', '1h', '--end', 'now']), /thread_spans.*global instance: .*log_entries/);
    await assert.rejects(run(materialize, ['--view', 'log_entries', '--begin', 'now', '--end', '1h']), UsageError);
  });
});
