import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetWriter } from './parquet-writer.js';
import { concatenateParquet, ParquetConcatError } from './parquet-concat.js';
import { decodeStruct, encodeStruct, WireType, type ThriftList, type ThriftStruct } from './thrift-compact.js';

/** Rows of every kind of column a view has: dictionary-encoded strings (with bloom filters), nulls, lists, structs. */
const rowsSql = (part: number, n: number) => `SELECT make_timestamp_ns(1700000000000000000 + (${part} * 1000000 + i) * 1000) AS time,
  'target-' || (i % 5) AS target, 'p${part}-' || (i % 3) AS process_id, CASE WHEN i % 4 = 0 THEN NULL ELSE i * 0.5 END AS value,
  [i, -i] AS list, {'k': 'key' || (i % 2), 'v': i} AS props FROM range(${n}) r(i)`;

describe('concatenateParquet', () => {
  let writer: ParquetWriter;
  let dir: string;
  const parts: string[] = [];
  const sizes = [70_000, 1_000, 30_000];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-parquet-concat-'));
    writer = await ParquetWriter.create({ threads: 1, spill: { root: join(dir, 'spill') } });
    for (const [part, n] of sizes.entries()) {
      const path = join(dir, `part-${part}.parquet`);
      await writer.write({ tables: [], select: rowsSql(part, n), timeColumn: 'time', rowOrder: 'selected', path });
      parts.push(path);
    }
  });

  after(async () => {
    await writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  const query = (sql: string) => writer.withConnection(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());
  const list = (paths: readonly string[]) => `[${paths.map((p) => `'${p}'`).join(', ')}]`;

  it('decodes a footer DuckDB wrote and encodes it back to the same bytes', async () => {
    const file = await readFile(parts[0]!);
    const length = file.readUInt32LE(file.length - 8);
    const footer = file.subarray(file.length - 8 - length, file.length - 8);
    assert.deepEqual(Buffer.from(encodeStruct(decodeStruct(footer).struct)), footer);
  });

  it('writes the rows of its files, file after file, in their row groups, with their time bounds', async () => {
    const out = join(dir, 'merged.parquet');
    const result = await concatenateParquet(parts, out, 'time');
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.deepEqual(result, {
      numRows: total,
      minEventNs: 1_700_000_000_000_000_000n,
      maxEventNs: 1_700_000_000_000_000_000n + (2n * 1_000_000n + BigInt(sizes[2]! - 1)) * 1000n,
    });
    // The same rows in the same order: row numbers and contents compared whole.
    assert.deepEqual(
      await query(`SELECT count(*)::INT AS n FROM (SELECT row_number() OVER () AS r, * FROM read_parquet('${out}')
        EXCEPT ALL SELECT row_number() OVER () AS r, * FROM read_parquet(${list(parts)}))`),
      [{ n: 0 }]);
    assert.deepEqual(await query(`SELECT count(*)::INT AS n, count(value)::INT AS v, sum(list[2])::BIGINT::VARCHAR AS l, count(DISTINCT props.k)::INT AS k FROM read_parquet('${out}')`),
      await query(`SELECT count(*)::INT AS n, count(value)::INT AS v, sum(list[2])::BIGINT::VARCHAR AS l, count(DISTINCT props.k)::INT AS k FROM read_parquet(${list(parts)})`));
    const groups = await query(`SELECT DISTINCT row_group_id::INT AS g, row_group_num_rows::INT AS n FROM parquet_metadata('${out}') ORDER BY g`);
    assert.deepEqual(groups.map((g) => g['n']), [65_536, 70_000 - 65_536, 1_000, 30_000]);
    // Statistics and bloom filters still point at their own row group's bytes.
    assert.deepEqual(await query(`SELECT row_group_id::INT AS g FROM parquet_bloom_probe('${out}', 'process_id', 'p2-1') WHERE NOT bloom_filter_excludes`), [{ g: 3 }]);
    assert.deepEqual(await query(`SELECT count(*)::INT AS n FROM read_parquet('${out}') WHERE process_id = 'p1-0'`), [{ n: 334 }]);
  });

  it('refuses files of other schemas, files that are not Parquet, page indexes and footers it cannot read, as ParquetConcatError', async () => {
    const other = join(dir, 'other.parquet');
    await writer.write({ tables: [], select: `SELECT * REPLACE (value::FLOAT AS value) FROM (${rowsSql(9, 10)})`, timeColumn: 'time', path: other });
    await assert.rejects(concatenateParquet([parts[1]!, other], join(dir, 'x.parquet'), 'time'), (err) => err instanceof ParquetConcatError && /schema is not that of/.test(err.message));

    const text = join(dir, 'text.parquet');
    await writeFile(text, 'just some text, not a parquet file');
    await assert.rejects(concatenateParquet([text], join(dir, 'x.parquet'), 'time'), (err) => err instanceof ParquetConcatError && /magic bytes/.test(err.message));

    // The same file with its footer claiming a page index for its first column chunk.
    const file = await readFile(parts[1]!);
    const length = file.readUInt32LE(file.length - 8);
    const footer = decodeStruct(file.subarray(file.length - 8 - length, file.length - 8)).struct;
    const chunk = ((footer.find((f) => f.id === 4)!.value as ThriftList).items[0] as ThriftStruct).find((f) => f.id === 1)!.value as ThriftList;
    (chunk.items[0] as ThriftStruct).push({ id: 4, type: WireType.I64, value: 100n }, { id: 5, type: WireType.I32, value: 10 });
    const indexed = join(dir, 'indexed.parquet');
    const newFooter = encodeStruct(footer);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(newFooter.length, 0);
    trailer.write('PAR1', 4);
    await writeFile(indexed, Buffer.concat([file.subarray(0, file.length - 8 - length), newFooter, trailer]));
    await assert.rejects(concatenateParquet([indexed], join(dir, 'x.parquet'), 'time'), (err) => err instanceof ParquetConcatError && /page index/.test(err.message));

    // Footers that decode but are not Parquet's: fields missing, or of another wire type.
    const body = file.subarray(0, file.length - 8 - length);
    const withFooter = async (name: string, struct: ThriftStruct) => {
      const bytes = encodeStruct(struct);
      const end = Buffer.alloc(8);
      end.writeUInt32LE(bytes.length, 0);
      end.write('PAR1', 4);
      await writeFile(join(dir, name), Buffer.concat([body, bytes, end]));
      return join(dir, name);
    };
    const bare = await withFooter('bare.parquet', [{ id: 1, type: WireType.I32, value: 1 }]);
    await assert.rejects(concatenateParquet([bare], join(dir, 'x.parquet'), 'time'), (err) => err instanceof ParquetConcatError && /has no schema/.test(err.message));
    const original = decodeStruct(file.subarray(file.length - 8 - length, file.length - 8)).struct;
    const mistyped = await withFooter('mistyped.parquet', original.map((f) => (f.id === 3 ? { ...f, type: WireType.Binary, value: new Uint8Array(2) } : f)));
    await assert.rejects(concatenateParquet([mistyped], join(dir, 'x.parquet'), 'time'), (err) => err instanceof ParquetConcatError && /row count is not of Parquet's type/.test(err.message));

    const damaged = join(dir, 'damaged.parquet');
    await writeFile(damaged, Buffer.concat([file.subarray(0, file.length - 8 - length), Buffer.alloc(length, 0xff), file.subarray(file.length - 8)]));
    await assert.rejects(concatenateParquet([damaged], join(dir, 'x.parquet'), 'time'), ParquetConcatError);
  });
});
