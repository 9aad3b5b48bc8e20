import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RecordBatchStreamWriter, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { MAX_BATCH_ROWS } from './record-batches.js';
import { logsSql, openFixture, T0, type Fixture } from '../testing/fixture.js';

const typesOf = (table: Table) => table.schema.fields.map((f) => `${f.name}:${f.type}`);
/** Raw storage of the first value of a column (bigint nanoseconds for timestamps). */
const rawFirst = (table: Table, name: string) => table.getChild(name)!.data[0]!.values[0];

describe('query results as Arrow', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());

  it('maps numbers, booleans, strings and binaries to their Arrow types, with nulls', async () => {
    const { table } = await fx.run(`SELECT * FROM (VALUES
        (1::TINYINT, 2::SMALLINT, 3::INTEGER, 4::BIGINT, 5::UTINYINT, 6::UINTEGER, 7::UBIGINT, 1.5::FLOAT, 2.5::DOUBLE,
         true, 'é ✓', '\\xAA\\x00'::BLOB, 12.34::DECIMAL(10, 2)),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
      AS t(i8, i16, i32, i64, u8, u32, u64, f32, f64, b, s, bin, dec)`);
    assert.deepEqual(typesOf(table), ['i8:Int8', 'i16:Int16', 'i32:Int32', 'i64:Int64', 'u8:Uint8', 'u32:Uint32', 'u64:Uint64',
      'f32:Float32', 'f64:Float64', 'b:Bool', 's:Utf8', 'bin:Binary', 'dec:Float64']);
    const [full, empty] = table.toArray().map((r) => ({ ...r.toJSON() }));
    assert.deepEqual({ ...full, bin: [...(full!.bin as Uint8Array)] }, {
      i8: 1, i16: 2, i32: 3, i64: 4n, u8: 5, u32: 6, u64: 7n, f32: 1.5, f64: 2.5, b: true, s: 'é ✓', bin: [0xaa, 0], dec: 12.34,
    });
    assert.ok(Object.values(empty!).every((v) => v === null));
    assert.ok(table.schema.fields.every((f) => table.getChild(f.name)!.nullCount === 1));
  });

  it('gives every timestamp as nanoseconds in UTC, keeping nanosecond precision', async () => {
    const { table } = await fx.run(`SELECT TIMESTAMP_NS '2026-01-01 00:00:00.123456789' AS ns,
      TIMESTAMP '2026-01-01 00:00:00.123456' AS us, TIMESTAMPTZ '2026-01-01 01:00:00.5+01:00' AS tz,
      TIMESTAMP_MS '2026-01-01 00:00:00.123' AS ms, TIMESTAMP_S '2026-01-01 00:00:01' AS s, DATE '2026-01-02' AS d`);
    assert.deepEqual(typesOf(table), ['ns:Timestamp<NANOSECOND, +00:00>', 'us:Timestamp<NANOSECOND, +00:00>',
      'tz:Timestamp<NANOSECOND, +00:00>', 'ms:Timestamp<NANOSECOND, +00:00>', 's:Timestamp<NANOSECOND, +00:00>', 'd:Date32<DAY>']);
    const base = BigInt(T0) * 1_000_000n;
    assert.equal(rawFirst(table, 'ns'), base + 123_456_789n);
    assert.equal(rawFirst(table, 'us'), base + 123_456_000n);
    assert.equal(rawFirst(table, 'tz'), base + 500_000_000n);
    assert.equal(rawFirst(table, 'ms'), base + 123_000_000n);
    assert.equal(rawFirst(table, 's'), base + 1_000_000_000n);
    assert.equal(rawFirst(table, 'd'), 20455);
  });

  it('saturates instants beyond the nanosecond range instead of wrapping', async () => {
    const { table } = await fx.run("SELECT TIMESTAMP '9999-01-01' AS far, '-infinity'::TIMESTAMP AS early");
    assert.equal(rawFirst(table, 'far'), (1n << 63n) - 1n);
    assert.equal(rawFirst(table, 'early'), -(1n << 63n));
  });

  it('keeps exact span times and durations from the view', async () => {
    const { table } = await fx.run(`SELECT begin, "end", duration, depth, line FROM view_instance('thread_spans', 'stream-1')
      WHERE id = 3`);
    assert.deepEqual(typesOf(table), ['begin:Timestamp<NANOSECOND, +00:00>', 'end:Timestamp<NANOSECOND, +00:00>',
      'duration:Int64', 'depth:Uint32', 'line:Uint32']);
    const begin = BigInt(T0) * 1_000_000n + 3_000_007n;
    assert.equal(rawFirst(table, 'begin'), begin);
    assert.equal(rawFirst(table, 'end'), begin + 4000n);
    assert.equal(rawFirst(table, 'duration'), 4000n);
  });

  it('gives lists of structs, structs, maps and nested nulls', async () => {
    const { table } = await fx.run(`SELECT properties, [1, NULL, 3] AS ints, CAST(NULL AS INTEGER[]) AS no_list,
      {'a': 1, 'b': NULL} AS st, MAP {'k': 2} AS m, [1, 2]::INTEGER[2] AS arr
      FROM log_entries WHERE msg = 'msg 10'`);
    assert.deepEqual(typesOf(table), ['properties:List<Struct<{key:Utf8, value:Utf8}>>', 'ints:List<Int32>',
      'no_list:List<Int32>', 'st:Struct<{a:Int32, b:Int32}>', 'm:Map<{key:Utf8, value:Int32}>', 'arr:FixedSizeList[2]<Int32>']);
    const row = table.get(0)!.toJSON();
    assert.deepEqual(JSON.parse(JSON.stringify(row.properties)), [{ key: 'k', value: 'v10' }, { key: 'rare', value: 'yes' }]);
    assert.deepEqual([...row.ints], [1, null, 3]);
    assert.equal(row.no_list, null);
    assert.deepEqual({ ...row.st.toJSON() }, { a: 1, b: null });
    assert.deepEqual(row.m.toJSON(), { k: 2 });
    assert.deepEqual([...row.arr], [1, 2]);
  });

  it('narrows SUM of integers (HUGEINT) to Int64 and refuses values that do not fit', async () => {
    const { table } = await fx.run('SELECT sum(level) AS total FROM log_entries');
    assert.deepEqual(typesOf(table), ['total:Int64']);
    assert.equal(rawFirst(table, 'total'), 2n * (17n * (0n + 1n + 2n + 3n) + 16n * (4n + 5n)));
    await assert.rejects(fx.run('SELECT sum(9223372036854775807) AS s FROM range(2)'),
      { code: 'invalid_argument', message: /does not fit in Int64/ });
  });

  it('keeps view string columns dictionary-encoded only when asked', async () => {
    const sql = 'SELECT target, msg, count(*) AS n FROM log_entries GROUP BY ALL ORDER BY n DESC, msg LIMIT 5';
    const plain = await fx.run(sql);
    const dict = await fx.run(sql, { preserveDictionary: true });
    assert.deepEqual(typesOf(plain.table), ['target:Utf8', 'msg:Utf8', 'n:Int64']);
    assert.deepEqual(typesOf(dict.table), ['target:Dictionary<Int16, Utf8>', 'msg:Utf8', 'n:Int64']);
    assert.deepEqual(dict.table.toArray().map((r) => r.toJSON()), plain.table.toArray().map((r) => r.toJSON()));
    const back = tableFromIPC(tableToIPC(dict.table, 'stream'));
    assert.deepEqual(back.getChild('target')!.toArray(), plain.table.getChild('target')!.toArray());
  });

  it('gives each batch its own dictionary, which an IPC stream carries across batches', async () => {
    await fx.catalog.addPartition('log_entries', 'big', `SELECT * REPLACE (CASE WHEN level < 3 THEN 'module::with::a::long::path::x' || (i % 5) ELSE 'y' || (i % 3) END AS target)
      FROM (SELECT *, row_number() OVER () AS i FROM (${logsSql('big', 0, 40_000)})) ORDER BY level`);
    const sql = "SELECT target FROM view_instance('log_entries', 'big')";
    const result = await fx.engine.query(sql, { preserveDictionary: true });
    const writer = new RecordBatchStreamWriter();
    let batches = 0;
    for await (const batch of result.batches) {
      writer.write(batch);
      batches++;
    }
    writer.finish();
    const counts = new Map<string, number>();
    for (const target of tableFromIPC(await writer.toUint8Array()).getChild('target')!) {
      counts.set(target as string, (counts.get(target as string) ?? 0) + 1);
    }
    const expected = await fx.rows(`SELECT target, count(*)::INTEGER AS n FROM (${sql}) GROUP BY target ORDER BY target`);
    assert.ok(batches > 1);
    assert.deepEqual([...counts].sort(), expected.map((r) => [r.target, r.n]));
  });

  it('copies strings out of Parquet pages exactly: unique, repeated, long and short mixed, nulls', async () => {
    await fx.catalog.addPartition('log_entries', 'strings', `SELECT * REPLACE (
        CASE WHEN i % 3 = 0 THEN 'short ' || (i % 100) ELSE 'a message long enough not to be inlined, number ' || i END AS msg,
        CASE WHEN i % 7 = 0 THEN NULL ELSE 'repeated::target::' || (i % 4) END AS target)
      FROM (SELECT *, row_number() OVER () AS i FROM (${logsSql('strings', 0, 50_000)}))`);
    const sql = "SELECT msg, target FROM view_instance('log_entries', 'strings') ORDER BY time";
    const { table } = await fx.run(sql);
    const [expected] = await fx.rows(`SELECT md5(string_agg(msg, '|')) AS msg, md5(string_agg(coalesce(target, '∅'), '|')) AS target
      FROM (${sql})`);
    const digest = (column: string) => createHash('md5')
      .update([...table.getChild(column)!].map((v) => (v === null ? '∅' : v)).join('|')).digest('hex');
    assert.deepEqual({ msg: digest('msg'), target: digest('target') }, expected);
    assert.equal(table.getChild('target')!.nullCount, Math.floor(50_000 / 7)); // i from 1
  });

  it('streams a large result as many record batches, column by column', async () => {
    const count = 100_000;
    const { table, batches } = await fx.run(`SELECT range AS i, 'a row longer than twelve bytes, number ' || range AS s,
      CASE WHEN range % 7 = 0 THEN NULL ELSE range * 2 END AS maybe FROM range(${count})`);
    assert.equal(table.numRows, count);
    assert.ok(batches >= Math.ceil(count / MAX_BATCH_ROWS), `${batches} batches`);
    assert.ok(table.batches.every((b) => b.numRows <= MAX_BATCH_ROWS));
    let sum = 0n;
    for (const value of table.getChild('i')!) sum += value as bigint;
    assert.equal(sum, BigInt((count * (count - 1)) / 2));
    assert.equal(table.get(count - 1)!.toJSON().s, `a row longer than twelve bytes, number ${count - 1}`);
    assert.equal(table.getChild('maybe')!.nullCount, Math.ceil(count / 7));
  });

  it('runs concurrent queries independently, each on its own connection', async () => {
    const levels = [0, 1, 2, 3, 4, 5, 0, 1];
    const counts = await Promise.all(levels.map(async (level) =>
      (await fx.rows(`SELECT count(*) AS n FROM log_entries WHERE level = ${level}`))[0]!.n));
    assert.deepEqual(counts, levels.map((level) => (level < 4 ? 34n : 32n)));
  });

  it('gives from schema() exactly the schema query() streams', async () => {
    for (const [sql, options] of [
      ['SELECT * FROM log_entries', {}],
      ['SELECT * FROM log_entries', { preserveDictionary: true }],
      ["SELECT name, duration, begin FROM view_instance('thread_spans', 'stream-1') WHERE depth = 1", {}],
      ['SELECT * FROM list_partitions()', {}],
      ['SELECT * FROM list_view_sets()', {}],
      ['DESCRIBE log_entries', {}],
      ['SELECT level, count(*) FROM log_entries GROUP BY level', { preserveDictionary: true }],
      ["SELECT make_histogram(0, 10, 5, level) FROM log_entries", {}],
    ] as const) {
      const planned = await fx.engine.schema(sql, options);
      const result = await fx.engine.query(sql, options);
      for await (const _batch of result.batches);
      assert.deepEqual(typesOfSchema(planned), typesOfSchema(result.schema), sql);
    }
  });
});

function typesOfSchema(schema: Table['schema']): string[] {
  return schema.fields.map((f) => `${f.name}:${f.type}`);
}
