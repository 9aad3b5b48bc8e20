import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventTimeRangeError, ParquetWriter, ROW_GROUP_ROWS, SORT_MIN_SPAN_SECONDS } from './parquet-writer.js';

describe('ParquetWriter', () => {
  let writer: ParquetWriter;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-parquet-writer-'));
    writer = await ParquetWriter.create({ threads: 1, spill: { root: join(dir, 'spill') } });
  });

  after(async () => {
    await writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes rows sorted by event time in row groups whose time statistics do not overlap', async () => {
    const n = ROW_GROUP_ROWS * 2 + 1000;
    // Times arrive shuffled (a permutation of 0..n-1 ms); strings repeat (dictionary-encoded).
    const offsets = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) * 1_000_000);
    const path = join(dir, 'sorted.parquet');
    const result = await writer.write({
      tables: [{
        name: 'mm_facts',
        columns: [
          { name: 'off', type: 'DOUBLE', values: offsets },
          { name: 'target', type: 'VARCHAR', values: Array.from({ length: n }, (_, i) => `target-${i % 5}`) },
          { name: 'id', type: 'BIGINT', values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 10_000_000_000n) },
        ],
      }],
      select: 'SELECT make_timestamp_ns(1700000000000000000 + off::BIGINT) AS time, target, id FROM mm_facts',
      timeColumn: 'time',
      path,
    });
    assert.deepEqual(result, { numRows: n, minEventNs: 1_700_000_000_000_000_000n, maxEventNs: 1_700_000_000_000_000_000n + BigInt(n - 1) * 1_000_000n });

    const rows = await writer.withConnection(async (c) => (await c.runAndReadAll(
      `SELECT row_group_id, stats_min, stats_max, encodings FROM parquet_metadata('${path}') WHERE path_in_schema = 'time' ORDER BY row_group_id`)).getRowObjectsJson());
    assert.equal(rows.length, 3);
    for (let i = 1; i < rows.length; i++) assert.ok(String(rows[i]!['stats_min']) > String(rows[i - 1]!['stats_max']), 'row groups ordered, disjoint in time');
    const [dictionary] = await writer.withConnection(async (c) => (await c.runAndReadAll(
      `SELECT bool_and(encodings LIKE '%DICTIONARY%') AS dict FROM parquet_metadata('${path}') WHERE path_in_schema = 'target'`)).getRowObjectsJson());
    assert.deepEqual(dictionary, { dict: true });
    const [sum] = await writer.withConnection(async (c) => (await c.runAndReadAll(
      `SELECT sum(id)::VARCHAR AS ids FROM read_parquet('${path}')`)).getRowObjectsJson());
    assert.deepEqual(sum, { ids: ((BigInt(n) * BigInt(n - 1) / 2n) * 10_000_000_000n).toString() });
  });

  it('writes a dictionary-staged column joined onto facts as the same UTF-8 strings, dictionary-encoded', async () => {
    const path = join(dir, 'dictionary.parquet');
    const ids = ['p-b', 'p-a', 'p-b', "it's", '', 'nul\0inside', 'ünï 🎮']; // a duplicate, a quote, empty, a NUL, non-ASCII
    await writer.write({
      tables: [
        { name: 'mm_dim', columns: [
          { name: 'idx', type: 'INTEGER', values: Int32Array.from(ids, (_, i) => i) },
          { name: 'id', type: 'VARCHAR', values: ids, dictionary: true },
        ] },
        { name: 'mm_facts', columns: [{ name: 'dim', type: 'INTEGER', values: Int32Array.from({ length: 700 }, (_, i) => i % ids.length) }] },
      ],
      select: 'SELECT make_timestamp_ns(1700000000000000000) AS time, d.id, f.dim FROM mm_facts f JOIN mm_dim d ON d.idx = f.dim',
      timeColumn: 'time',
      path,
    });
    const read = await writer.withConnection(async (c) => ({
      types: (await c.runAndReadAll(`SELECT type, converted_type FROM parquet_schema('${path}') WHERE name = 'id'`)).getRowObjectsJson(),
      encodings: (await c.runAndReadAll(`SELECT encodings FROM parquet_metadata('${path}') WHERE path_in_schema = 'id'`)).getRowObjectsJson(),
      rows: (await c.runAndReadAll(`SELECT dim, min(id) AS id, count(*)::INT AS n FROM read_parquet('${path}') GROUP BY dim ORDER BY dim`)).getRowObjectsJson(),
    }));
    assert.deepEqual(read.types, [{ type: 'BYTE_ARRAY', converted_type: 'UTF8' }]);
    assert.match(String(read.encodings[0]!['encodings']), /DICTIONARY/);
    assert.deepEqual(read.rows, ids.map((id, dim) => ({ dim, id, n: 100 })));
  });

  it('stages dictionaries of any size (ENUMs stored in 1, 2 and 4 bytes), empty ones and ones too long for an ENUM', async () => {
    const path = join(dir, 'dictionary-sizes.parquet');
    const n = 70_000;
    const column = (name: string, distinct: number) => ({ name, type: 'VARCHAR' as const, values: Array.from({ length: n }, (_, i) => `${name}-${i % distinct}`), dictionary: true });
    await writer.write({
      tables: [
        { name: 'mm_facts', columns: [column('small', 200), column('medium', 1000), column('large', n)] },
        { name: 'mm_empty', columns: [{ name: 's', type: 'VARCHAR', values: [], dictionary: true }] },
        // Distinct values longer in all than an ENUM is declared for: staged as strings.
        { name: 'mm_long', columns: [{ name: 's', type: 'VARCHAR', values: Array.from({ length: 600 }, (_, i) => `${i % 300}`.padEnd(4000, '.')), dictionary: true }] },
      ],
      select: `SELECT make_timestamp_ns(1700000000000000000) AS time, small, medium, large, (SELECT count(*) FROM mm_empty) AS empty,
        (SELECT count(DISTINCT s) FILTER (WHERE length(s) = 4000) FROM mm_long) AS long FROM mm_facts`,
      timeColumn: 'time',
      path,
    });
    const [read] = await writer.withConnection(async (c) => (await c.runAndReadAll(
      `SELECT count(DISTINCT small)::INT AS small, count(DISTINCT medium)::INT AS medium, count(DISTINCT large)::INT AS large,
         bool_and(small = 'small-' || (large[7:]::INT % 200)) AND bool_and(medium = 'medium-' || (large[7:]::INT % 1000)) AS matching,
         max(empty)::INT AS empty, max(long)::INT AS long
       FROM read_parquet('${path}')`)).getRowObjectsJson());
    assert.deepEqual(read, { small: 200, medium: 1000, large: n, matching: true, empty: 0, long: 300 });
  });

  it('keeps the SELECT\'s row order when asked to (rowOrder selected), across row groups', async () => {
    const n = ROW_GROUP_ROWS + 10;
    const path = join(dir, 'selected.parquet');
    // Times descending: sorted, the first row group would hold the earliest rows.
    const offsets = Float64Array.from({ length: n }, (_, i) => (n - i) * 1_000_000);
    const result = await writer.write({
      tables: [{ name: 'mm_facts', columns: [{ name: 'off', type: 'DOUBLE', values: offsets }] }],
      select: 'SELECT make_timestamp_ns(off::BIGINT) AS time FROM mm_facts', timeColumn: 'time', rowOrder: 'selected', path,
    });
    assert.deepEqual(result, { numRows: n, minEventNs: 1_000_000n, maxEventNs: BigInt(n) * 1_000_000n });
    const groups = await writer.withConnection(async (c) => (await c.runAndReadAll(
      `SELECT stats_min, stats_max FROM parquet_metadata('${path}') WHERE path_in_schema = 'time' ORDER BY row_group_id`)).getRowObjectsJson());
    assert.equal(groups.length, 2);
    assert.ok(String(groups[0]!['stats_min']) > String(groups[1]!['stats_max']), 'the first row group holds the latest rows, as selected');
  });

  it('leaves rows spanning less than SORT_MIN_SPAN_SECONDS of event time in the SELECT\'s order', async () => {
    const n = ROW_GROUP_ROWS + 10;
    const path = join(dir, 'narrow.parquet');
    // Descending over less than the span: no time filter would skip more row groups once sorted.
    const stepNs = Math.floor((SORT_MIN_SPAN_SECONDS * 1e9) / (2 * n));
    const offsets = Float64Array.from({ length: n }, (_, i) => (n - i) * stepNs);
    const result = await writer.write({
      tables: [{ name: 'mm_facts', columns: [{ name: 'off', type: 'DOUBLE', values: offsets }] }],
      select: 'SELECT make_timestamp_ns(off::BIGINT) AS time FROM mm_facts', timeColumn: 'time', path,
    });
    assert.deepEqual(result, { numRows: n, minEventNs: BigInt(stepNs), maxEventNs: BigInt(n * stepNs) });
    const groups = await writer.withConnection(async (c) => (await c.runAndReadAll(
      `SELECT stats_min, stats_max FROM parquet_metadata('${path}') WHERE path_in_schema = 'time' ORDER BY row_group_id`)).getRowObjectsJson());
    assert.equal(groups.length, 2);
    assert.ok(String(groups[0]!['stats_min']) > String(groups[1]!['stats_max']), 'the first row group holds the latest rows, as selected');
  });

  for (const [type, expression, min, max] of [
    ['TIMESTAMP_NS', 'make_timestamp_ns(off)', -1_500_000_000_123_456_789n, 1_700_000_000_987_654_321n],
    ['TIMESTAMP', 'make_timestamp(off // 1000)', -1_500_000_000_123_456_000n, 1_700_000_000_987_654_000n],
    ['TIMESTAMPTZ', 'make_timestamp(off // 1000)::TIMESTAMPTZ', -1_500_000_000_123_456_000n, 1_700_000_000_987_654_000n],
    ['TIMESTAMP_S', 'make_timestamp(off // 1000)::TIMESTAMP_S', -1_500_000_000_000_000_000n, 1_700_000_001_000_000_000n],
  ] as const) {
    it(`returns the exact bounds of a ${type} time column`, async () => {
      const result = await writer.write({
        tables: [{ name: 'mm_facts', columns: [{ name: 'off', type: 'BIGINT', values: BigInt64Array.from([1_700_000_000_987_654_321n, -1_500_000_000_123_456_789n, 0n]) }] }],
        select: `SELECT ${expression} AS "at time" FROM mm_facts`, timeColumn: 'at time', path: join(dir, `${type}.parquet`),
      });
      assert.deepEqual(result, { numRows: 3, minEventNs: min, maxEventNs: max });
    });
  }

  it('fails, naming the column, on a time out of the nanosecond range', async () => {
    await assert.rejects(writer.write({
      tables: [{ name: 'mm_facts', columns: [{ name: 'off', type: 'BIGINT', values: BigInt64Array.from([1000n, 0n]) }] }],
      select: `SELECT TIMESTAMP '0500-01-01' + to_microseconds(off) AS time FROM mm_facts`, timeColumn: 'time', path: join(dir, 'year-500.parquet'),
    }), (err: Error) => err instanceof EventTimeRangeError && err.message === 'time column time: 0500-01-01 00:00:00 is not a time between the years 1677 and 2262');
  });

  it('writes no file for an empty result', async () => {
    const path = join(dir, 'empty.parquet');
    const result = await writer.write({ tables: [{ name: 'mm_facts', columns: [{ name: 'off', type: 'DOUBLE', values: new Float64Array(0) }] }],
      select: 'SELECT make_timestamp_ns(off::BIGINT) AS time FROM mm_facts', timeColumn: 'time', path });
    assert.deepEqual(result, { numRows: 0, minEventNs: null, maxEventNs: null });
  });
});
