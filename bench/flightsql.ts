/**
 * What the wire costs: one query's result (500 k log entries, 5 columns) read directly from the query
 * engine, then through FlightSQL (our client and the Rust arrow-flight client) and through the HTTP
 * gateway (Arrow IPC and JSON), all on the same engine and Parquet partition in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { startFlightSqlServer } from '@micromegas/backend/flightsql/index';
import { startGateway } from '@micromegas/backend/gateway/index';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import { StaticViewCatalog } from '@micromegas/backend/query/testing/static-catalog';
import { LOG_ENTRIES } from '@micromegas/backend/query/testing/view-sets';

const ROWS = 500_000;
const RUNS = 5;
const SQL = 'SELECT time, process_id, level, target, msg FROM log_entries';
const T0_NS = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;

const logsSql = `SELECT 'process-' || (i % 8) AS process_id, 'app' AS exe, make_timestamp_ns(${T0_NS} + i * 1000000) AS time,
    'target::' || (i % 40) AS target, CAST(1 + i % 6 AS INTEGER) AS level, 'request ' || i || ' done' AS msg,
    [{'key': 'request_id', 'value': CAST(i AS VARCHAR)}] AS properties
  FROM range(0, ${ROWS}) t(i)`;

async function median(fn: () => Promise<number>): Promise<{ ms: number; rows: number }> {
  let rows = await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    rows = await fn();
    times.push(performance.now() - start);
  }
  return { ms: times.sort((a, b) => a - b)[RUNS >> 1]!, rows };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-flightsql-'));
  const catalog = new StaticViewCatalog([LOG_ENTRIES], dir);
  await catalog.addPartition('log_entries', 'global', logsSql);
  const engine = await createQueryEngine({ catalog, allowedDirs: [dir], memoryLimit: '1GB' });
  const server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0 });
  const gateway = await startGateway({ engine, host: '127.0.0.1', port: 0 });
  const client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
  const rust = await createFlightSqlClient({ host: '127.0.0.1', port: server.port, tls: false, headers: [] });
  const post = (accept: string) => fetch(`${gateway.url}/api/query`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ sql: SQL }),
  });
  try {
    const paths: [string, () => Promise<number>][] = [
      ['engine, in process', async () => {
        let rows = 0;
        for await (const batch of (await engine.query(SQL)).batches) rows += batch.numRows;
        return rows;
      }],
      ['FlightSQL, our client', async () => {
        let rows = 0;
        for await (const batch of (await client.queryStream(SQL)).batches) rows += batch.numRows;
        return rows;
      }],
      ['FlightSQL, Rust client', async () => tableFromIPC(await rust.query(SQL)).numRows],
      ['gateway, Arrow IPC', async () => tableFromIPC(new Uint8Array(await (await post('application/vnd.apache.arrow.stream')).arrayBuffer())).numRows],
      ['gateway, JSON rows', async () => ((await (await post('application/json')).json()) as unknown[]).length],
    ];
    const results = [];
    for (const [path, fn] of paths) results.push({ path, ...(await median(fn)) });
    const base = results[0]!.ms;
    console.log(`${ROWS.toLocaleString('en-US')} rows × 5 columns, median of ${RUNS} runs`);
    console.table(results.map(({ path, ms, rows }) => ({
      path,
      rows,
      'ms': Math.round(ms),
      'rows/s': Math.round(rows / (ms / 1000)).toLocaleString('en-US'),
      'vs engine': `${(ms / base).toFixed(2)}×`,
    })));
  } finally {
    client.close();
    await gateway.close();
    await server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
