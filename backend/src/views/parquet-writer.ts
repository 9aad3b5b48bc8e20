/**
 * Writes view partitions as Parquet through an internal DuckDB (not the locked-down query engine):
 * staged typed arrays go into temporary tables a vector-sized chunk at a time (one memcpy per
 * numeric column), the view's SQL joins them into its final shape, and COPY writes it sorted by
 * event time so each row group's min/max statistics let time filters skip it. Parquet
 * dictionary-encodes the repetitive string columns by itself.
 *
 * Sorting is most of a write's cost (rows are materialized whole, nested columns and all), so it is
 * skipped where no time filter would skip more row groups for it: a result of one row group, rows
 * spanning a few seconds of event time (a live second's partition: its blocks each span about a
 * second, so its row groups all overlap anyway), and rows whose order the caller vouches for (a
 * merge concatenating parts in time order, see ./partition-merger.ts) or that it knows fall under
 * those bounds (log_stats' and measure_stats' bins, from their source partition's: ./derived-set.ts),
 * which spares running an aggregating SELECT twice. The row count and time bounds come from the
 * COPY's own statistics, not from reading the file back.
 */
import { rm } from 'node:fs/promises';
import duckdb from '@duckdb/node-bindings';
import {
  BIGINT, DOUBLE, DuckDBDataChunk, DuckDBInstance, DuckDBTypeId, ENUM, INTEGER, UINTEGER, VARCHAR,
  type DuckDBConnection, type DuckDBEnumType, type DuckDBType,
} from '@duckdb/node-api';
import type { StagedColumn, StagedTable } from '../etl/staged.js';
import { claimSpillDir, type SpillDir, type SpillOptions } from '../lake/spill-dirs.js';
import { MACROS } from '../query/functions/macros.js';
import { WITHOUT_FILE_CACHE } from '../query/duckdb-memory.js';
import { stagedRowCount } from '../etl/staged.js';
import { copyStats, timestampTextNs } from './copy-stats.js';

const DUCKDB_TYPES: Record<StagedColumn['type'], DuckDBType> = { INTEGER, UINTEGER, DOUBLE, BIGINT, VARCHAR };

/** Rows per Parquet row group: small enough that a time filter skips most of a large partition. */
export const ROW_GROUP_ROWS = 64 * 1024;

/** Rows spanning less event time than this are written unsorted (see above). */
export const SORT_MIN_SPAN_SECONDS = 10;

export interface WriteRequest {
  tables: readonly StagedTable[];
  /** SELECT over the staged tables (and `sources`, files it may read) producing the view's rows. */
  select: string;
  /** Event-time column (TIMESTAMP_NS): rows are sorted by it (see `rowOrder`) and its bounds are returned. */
  timeColumn: string;
  /**
   * 'time' (default): sorted by the time column when the rows fill more than one row group and span
   * more than SORT_MIN_SPAN_SECONDS.
   * 'selected': in the SELECT's order, never sorted.
   */
  rowOrder?: 'time' | 'selected';
  /** Local file to write; not written when the result has no rows. */
  path: string;
}

export interface WriteResult {
  numRows: number;
  /** Nanoseconds since the epoch; null when there are no rows. */
  minEventNs: bigint | null;
  maxEventNs: bigint | null;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A dictionary column as an ENUM of its distinct values and each row's index among them. Joins
 * carry an ENUM's small integers instead of strings, and DuckDB writes an ENUM column's Parquet
 * dictionary straight from the type: 7 times cheaper than hashing each row's string (measured on a
 * fleet second of measures' ids). The file holds the same UTF-8 column either way. The values are
 * deduplicated here, where they are strings already, so that staging one costs a typed-array copy
 * and no statement beyond the table's own.
 */
interface Dictionary {
  type: DuckDBEnumType;
  codes: Uint8Array | Uint16Array | Uint32Array;
}

/** The integers an ENUM is stored as: DuckDB picks the narrowest for its size. */
const STORED_AS: Partial<Record<DuckDBTypeId, (codes: Uint32Array) => Dictionary['codes']>> = {
  [DuckDBTypeId.UTINYINT]: (codes) => Uint8Array.from(codes),
  [DuckDBTypeId.USMALLINT]: (codes) => Uint16Array.from(codes),
  [DuckDBTypeId.UINTEGER]: (codes) => codes,
};

/** Characters of distinct values past which a column is staged as strings: its ENUM's SQL would be bigger than its rows. */
const MAX_DICTIONARY_CHARS = 1 << 20;

/**
 * Undefined when the column cannot be an ENUM, and is staged as strings: without values (an ENUM
 * needs one), with a NUL character (the type is declared in SQL text, which ends at a NUL), or
 * with more than MAX_DICTIONARY_CHARS of distinct values.
 */
function dictionaryOf(values: readonly string[]): Dictionary | undefined {
  const indexes = new Map<string, number>();
  const codes = new Uint32Array(values.length);
  values.forEach((value, row) => {
    let index = indexes.get(value);
    if (index === undefined) indexes.set(value, index = indexes.size);
    codes[row] = index;
  });
  let chars = 0;
  for (const value of indexes.keys()) {
    if (value.includes('\0')) return undefined;
    chars += value.length;
  }
  if (indexes.size === 0 || chars > MAX_DICTIONARY_CHARS) return undefined;
  const type = ENUM([...indexes.keys()]);
  return { type, codes: STORED_AS[type.internalTypeId]!(codes) };
}

/** A staged column's declaration; a dictionary's type prints as its SQL, `ENUM('v1', 'v2', …)`. */
function columnSql(column: StagedColumn, dictionary: Dictionary | undefined): string {
  return `${quoteIdent(column.name)} ${dictionary?.type.toString() ?? column.type}`;
}

async function stage(connection: DuckDBConnection, table: StagedTable): Promise<void> {
  const dictionaries = table.columns.map((c) => c.type === 'VARCHAR' && c.dictionary === true ? dictionaryOf(c.values) : undefined);
  const columns = table.columns.map((c, i) => columnSql(c, dictionaries[i])).join(', ');
  await connection.run(`CREATE TEMP TABLE ${quoteIdent(table.name)} (${columns})`);
  const rows = stagedRowCount(table);
  if (rows === 0) return;
  const appender = await connection.createAppender(table.name, 'main', 'temp');
  const chunk = DuckDBDataChunk.create(table.columns.map((c, i) => dictionaries[i]?.type ?? DUCKDB_TYPES[c.type]));
  const size = duckdb.vector_size();
  const copy = (vector: duckdb.Vector, values: Dictionary['codes'] | Exclude<StagedColumn, { type: 'VARCHAR' }>['values'], start: number, n: number) => {
    const part = values.subarray(start, start + n);
    duckdb.copy_data_to_vector(vector, 0, part.buffer as ArrayBuffer, part.byteOffset, part.byteLength);
  };
  try {
    for (let start = 0; start < rows; start += size) {
      const n = Math.min(size, rows - start);
      duckdb.data_chunk_reset(chunk.chunk);
      table.columns.forEach((column, i) => {
        const vector = duckdb.data_chunk_get_vector(chunk.chunk, i);
        const dictionary = dictionaries[i];
        if (dictionary !== undefined) copy(vector, dictionary.codes, start, n);
        else if (column.type !== 'VARCHAR') copy(vector, column.values, start, n);
        else for (let row = 0; row < n; row++) duckdb.vector_assign_string_element(vector, row, column.values[start + row]!);
      });
      duckdb.data_chunk_set_size(chunk.chunk, n);
      appender.appendDataChunk(chunk);
      // Copying is synchronous: a large table (a minute of the blocks view) yields between chunks so ingestion is not held up.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    appender.closeSync();
  }
}

/** Whether sorting by `time` lets time filters skip more row groups (see above): one pass over the SELECT's time column. */
async function worthSorting(connection: DuckDBConnection, select: string, time: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(`SELECT count(*) > ${ROW_GROUP_ROWS}
    AND max(${time}) - min(${time}) > INTERVAL ${SORT_MIN_SPAN_SECONDS} SECONDS FROM (${select})`);
  return reader.getRows()[0]![0] === true;
}

/** A time outside what a partition records: nanoseconds since the epoch in 64 bits (years 1677–2262). */
export class EventTimeRangeError extends Error {
  override name = 'EventTimeRangeError';
  constructor(readonly column: string, readonly value: string) {
    super(`time column ${column}: ${value} is not a time between the years 1677 and 2262`);
  }
}

function boundNs(column: string, text: string | null): bigint | null {
  if (text === null) return null;
  const ns = timestampTextNs(text);
  if (ns === undefined) throw new EventTimeRangeError(column, text);
  return ns;
}

export class ParquetWriter {
  private constructor(readonly instance: DuckDBInstance, private readonly spill: SpillDir) {}

  /**
   * `threads`: DuckDB worker threads for sorting and compression (the machine is shared). Large
   * builds spill into a folder of this writer's own under `spill.root`.
   */
  static async create(options: { threads?: number; memoryLimit?: string; spill: SpillOptions }): Promise<ParquetWriter> {
    const spill = await claimSpillDir(options.spill, 'writer');
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        threads: String(options.threads ?? 1),
        memory_limit: options.memoryLimit ?? '1GB',
        autoinstall_known_extensions: 'false',
        temp_directory: spill.path,
        ...WITHOUT_FILE_CACHE,
        ...(spill.maxSize ? { max_temp_directory_size: spill.maxSize } : {}),
      });
    } catch (err) {
      await spill.remove();
      throw err;
    }
    // The query dialect's functions (property_get, make_histogram, …), for user views' SQL.
    const setup = await instance.connect();
    try {
      for (const macro of MACROS) await setup.run(macro);
    } finally {
      setup.closeSync();
    }
    return new ParquetWriter(instance, spill);
  }

  /** Runs `fn` on a connection of its own: temporary tables never collide between builds. */
  async withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    return this.withConnection(async (connection) => {
      for (const table of request.tables) await stage(connection, table);
      const time = quoteIdent(request.timeColumn);
      const path = quoteLiteral(request.path);
      const sort = request.rowOrder !== 'selected' && await worthSorting(connection, request.select, time);
      // Straight from the SELECT into the file (no intermediate table: half the time of a merge).
      const stats = copyStats(await connection.runAndReadAll(`COPY (SELECT * FROM (${request.select})${sort ? ` ORDER BY ${time}` : ''}) TO ${path}
        (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, RETURN_STATS true)`), time);
      if (stats.numRows === 0) await rm(request.path, { force: true });
      return { numRows: stats.numRows, minEventNs: boundNs(request.timeColumn, stats.min), maxEventNs: boundNs(request.timeColumn, stats.max) };
    });
  }

  async close(): Promise<void> {
    this.instance.closeSync();
    await this.spill.remove();
  }
}
