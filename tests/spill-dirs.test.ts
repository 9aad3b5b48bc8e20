// DuckDB engines of one process (Parquet writers, the query engine) and of processes sharing a data
// folder spill into folders of their own: spilled files never collide, results stay exact, and the
// folders of processes that died are swept when the next one starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetWriter } from '@micromegas/backend/views/parquet-writer';
import { claimSpillDir } from '@micromegas/backend/lake/spill-dirs';
import { openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';

const N = 2_000_000;
/** Rows whose sort needs several times a 96 MB memory_limit: the builds must spill to finish (a ms apart: wide enough to be sorted). */
const ROWS = `SELECT (TIMESTAMP '2020-01-01' + to_milliseconds(((i * 7919) % ${N})::BIGINT))::TIMESTAMP_NS AS time,
    i, repeat('p', 40) || i::VARCHAR AS pad FROM range(${N}) t(i)`;
const SUM = String((N * (N - 1)) / 2);

describe('spill folders', () => {
  let dir: string;
  let spill: { root: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-spill-'));
    spill = { root: join(dir, 'spill') };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('two writers and the query engine spill at once and every result is exact', async () => {
    const writers = await Promise.all([0, 1].map(() => ParquetWriter.create({ threads: 2, memoryLimit: '96MB', spill })));
    let fixture: Fixture | undefined;
    try {
      fixture = await openFixture({ memoryLimit: '96MB', threads: 2, spill });
      const engine = fixture;
      assert.equal((await readdir(spill.root)).length, 3, 'one folder per engine');
      const builds = writers.map((writer, k) => writer.write({ tables: [], select: ROWS, timeColumn: 'time', path: join(dir, `out${k}.parquet`) }));
      const sorted = engine.rows(`SELECT sum(i)::VARCHAR AS s, count(DISTINCT pad) AS d, max(i) AS m FROM (SELECT * FROM (${ROWS}) ORDER BY pad DESC LIMIT ${N})`);
      const results = await Promise.all(builds);
      for (const [k, result] of results.entries()) {
        assert.deepEqual(result, { numRows: N, minEventNs: 1577836800000000000n, maxEventNs: 1577836800000000000n + BigInt(N - 1) * 1_000_000n });
        const [row] = await writers[k]!.withConnection(async (c) => (await c.runAndReadAll(
          `SELECT sum(i)::VARCHAR, count(DISTINCT pad)::INTEGER, bool_and(time >= prev) FROM
             (SELECT i, pad, time, lag(time, 1, time) OVER (ORDER BY file_row_number) AS prev
              FROM read_parquet('${join(dir, `out${k}.parquet`)}', file_row_number = true))`)).getRows());
        assert.deepEqual(row, [SUM, N, true], `build ${k}: every row once, sorted by time`);
      }
      assert.deepEqual(await sorted, [{ s: SUM, d: BigInt(N), m: BigInt(N - 1) }]);
    } finally {
      await fixture?.close();
      for (const writer of writers) await writer.close();
    }
    assert.deepEqual(await readdir(spill.root), [], 'each engine removes its folder when it closes');
  });

  it('sweeps the folders of dead processes, keeps those of live ones', async () => {
    const root = join(dir, 'sweep');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    for (const name of [`${dead}-query-1`, `${process.ppid}-writer-1`]) {
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, 'duckdb_temp_storage_DEFAULT-0.tmp'), 'x');
    }
    const claimed = await claimSpillDir({ root }, 'query');
    assert.deepEqual((await readdir(root)).sort(), [`${process.ppid}-writer-1`, claimed.path.split('/').pop()!].sort());
    assert.match(claimed.path, new RegExp(`/${process.pid}-query-\\d+$`));
    await claimed.remove();
  });
});
