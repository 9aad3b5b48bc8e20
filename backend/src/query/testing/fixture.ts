import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { createQueryEngine, type QueryEngineConfig } from '../duckdb-engine.js';
import type { QueryEngine, QueryOptions } from '../engine.js';
import { StaticViewCatalog } from './static-catalog.js';
import { LOG_ENTRIES, THREAD_SPANS } from './view-sets.js';

/** 2026-01-01T00:00:00Z, where the fixture's events start. */
export const T0 = Date.UTC(2026, 0, 1);
export const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** `count` log entries of `process`, one per second from `startSecond`; level = i % 6, every 10th has a 'rare' property. */
export function logsSql(process: string, startSecond: number, count: number): string {
  return `SELECT '${process}' AS process_id, 'app' AS exe,
      make_timestamp_ns((${T0}::BIGINT + (${startSecond} + i) * 1000) * 1000000) AS time,
      'tgt' || (i % 3) AS target, CAST(i % 6 AS INTEGER) AS level, 'msg ' || (${startSecond} + i) AS msg,
      CASE WHEN i % 10 = 0 THEN [{'key': 'k', 'value': 'v' || i}, {'key': 'rare', 'value': 'yes'}]
           ELSE [{'key': 'k', 'value': 'v' || i}] END AS properties
    FROM range(0, ${count}) t(i)`;
}

/**
 * 16 spans of one thread, duration 1000 * (i + 1) ns: every 4th is top-level (depth 1, as the ETL
 * numbers them from the thread), the 3 after it its children (depth 2). Ids start at 0 here, so
 * top-level spans have parent -1 rather than the ETL's 0.
 */
export const SPANS_SQL = `SELECT i AS id, CASE WHEN i % 4 = 0 THEN -1 ELSE i - i % 4 END AS parent,
    CAST(CASE WHEN i % 4 = 0 THEN 1 ELSE 2 END AS UINTEGER) AS depth, CAST(i AS UINTEGER) AS hash,
    make_timestamp_ns(${T0}::BIGINT * 1000000 + i * 1000000 + 7) AS begin,
    make_timestamp_ns(${T0}::BIGINT * 1000000 + i * 1000000 + 7 + 1000 * (i + 1)) AS "end",
    1000 * (i + 1) AS duration, 'span_' || i AS name, 'mod' AS target, 'main.ts' AS filename, CAST(10 + i AS UINTEGER) AS line
  FROM range(0, 16) t(i)`;

export interface Fixture {
  engine: QueryEngine;
  catalog: StaticViewCatalog;
  dir: string;
  /** Runs a query to the end: the Arrow table and its batch count. */
  run(sql: string, options?: QueryOptions): Promise<{ table: Table; batches: number }>;
  /** Rows as plain objects. */
  rows(sql: string, options?: QueryOptions): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * A real engine over real Parquet files: global log_entries in two partitions (200 entries, seconds
 * 0–199), process p1's own instance (100 entries), thread_spans of stream-1 (16 spans).
 */
export async function openFixture(config: Partial<QueryEngineConfig> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'query-test-'));
  const catalog = new StaticViewCatalog([LOG_ENTRIES, THREAD_SPANS], dir);
  await catalog.addPartition('log_entries', 'global', logsSql('p1', 0, 100));
  await catalog.addPartition('log_entries', 'global', logsSql('p2', 100, 100));
  await catalog.addPartition('log_entries', 'p1', logsSql('p1', 0, 100));
  await catalog.addPartition('thread_spans', 'stream-1', SPANS_SQL);
  const engine = await createQueryEngine({ catalog, allowedDirs: [dir], memoryLimit: '256MB', ...config });
  const run = async (sql: string, options?: QueryOptions) => {
    const result = await engine.query(sql, options);
    const batches = [];
    for await (const batch of result.batches) batches.push(batch);
    return { table: new Table(result.schema, batches), batches: batches.length };
  };
  return {
    engine, catalog, dir, run,
    rows: async (sql, options) => (await run(sql, options)).table.toArray().map((row) => ({ ...row.toJSON() })),
    close: async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
