// One query cannot take the server down: client statements run in worker processes with a memory
// bound, a statement timeout and admission control (backend/src/query/workers/), over FlightSQL and
// the HTTP gateway.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { startGateway, type Gateway } from '@micromegas/backend/gateway/index';
import type { QueryEngine } from '@micromegas/backend/query/engine';
import { openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';
import { createWorkerEngine, type QueryLimits } from '@micromegas/backend/query/workers/worker-engine';

/** Counts 10^12 rows: minutes of DuckDB work, interruptible. */
const ENDLESS_COUNT = 'SELECT count(*) AS n FROM range(1000000000000) t(i)';
/** One scalar call of 10^10 steps (O(n) memory) that DuckDB never interrupts: tens of seconds. */
const UNINTERRUPTIBLE = "SELECT levenshtein(repeat('a', 100000 + i), repeat('b', 100000)) AS d FROM range(1) t(i)";

interface Served {
  fixture: Fixture;
  engine: QueryEngine;
  server: FlightSqlServer;
  gateway: Gateway;
  client: FlightSQLClient;
  post(sql: string): Promise<Response>;
  close(): Promise<void>;
}

async function serve(limits: QueryLimits): Promise<Served> {
  const fixture = await openFixture();
  const engine = await createWorkerEngine({ catalog: fixture.catalog, allowedDirs: [fixture.dir], limits, threads: 2, startWorkers: true });
  const server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0 });
  const gateway = await startGateway({ engine, host: '127.0.0.1', port: 0 });
  const client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
  return {
    fixture, engine, server, gateway, client,
    post: (sql) => fetch(`${gateway.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) }),
    async close() {
      client.close();
      await gateway.close();
      await server.close();
      await engine.close();
      await fixture.close();
    },
  };
}

const failsWith = (code: status, message?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof FlightSQLError, String(err));
  assert.equal(err.codeName, status[code], err.message);
  if (message) assert.match(err.message, message);
  return true;
};

describe('query workers', () => {
  let served: Served;
  before(async () => {
    served = await serve({ memoryLimit: '1GB', concurrency: 2, maxQueue: 0, timeoutMs: 2000 });
    assert.equal((await served.client.query('SELECT 1 AS one')).get(0)!.one, 1);
    assert.equal((await served.client.query('SELECT count(*)::INTEGER AS n FROM log_entries')).get(0)!.n, 200);
  });
  after(() => served.close());

  it('answers our client and the Rust client through the workers, views and the catalog functions included', async () => {
    const ours = await served.client.query("SELECT level, count(*)::INTEGER AS n FROM view_instance('log_entries', 'p1') GROUP BY level ORDER BY level");
    assert.deepEqual(ours.toArray().map((row) => row.n), [17, 17, 17, 17, 16, 16]);
    const rust = await createFlightSqlClient({ host: '127.0.0.1', port: served.server.port, tls: false, headers: [] });
    const table = tableFromIPC(await rust.query('SELECT count(*)::INTEGER AS n, count(DISTINCT view_instance_id)::INTEGER AS instances FROM list_partitions()'));
    assert.deepEqual(table.get(0)!.toJSON(), { n: 4, instances: 3 });
  });

  it('fails string bombs alone (Out of Memory) without the server growing, and keeps answering', async () => {
    const rss = process.memoryUsage().rss;
    await assert.rejects(served.client.query("SELECT length(repeat('x', 2147483647)) AS n FROM range(1)"), failsWith(status.INVALID_ARGUMENT, /Out of Memory/));
    await assert.rejects(served.client.query("SELECT length(repeat('x', 2147483647)) AS n"), failsWith(status.INVALID_ARGUMENT, /Out of Memory/));
    const three = await Promise.allSettled([0, 1, 2].map(() => served.client.query("SELECT repeat('x', 1073741824) AS s")));
    for (const outcome of three) assert.equal(outcome.status, 'rejected');
    assert.ok(process.memoryUsage().rss - rss < 256 * 1024 ** 2, 'the server process never held the strings');
    assert.equal((await served.client.query('SELECT 2 AS two')).get(0)!.two, 2);
    assert.equal((await served.client.query('SELECT count(*)::INTEGER AS n FROM log_entries')).get(0)!.n, 200);
  });

  it('ends a statement past the timeout with DEADLINE_EXCEEDED over FlightSQL and 504 at the gateway', async () => {
    await assert.rejects(served.client.query(ENDLESS_COUNT), failsWith(status.DEADLINE_EXCEEDED, /statement timeout \(2 s\)/));
    const response = await served.post(ENDLESS_COUNT);
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { error: string }).error, 'deadline_exceeded');
    assert.equal((await served.client.query('SELECT count(*)::INTEGER AS n FROM log_entries')).get(0)!.n, 200);
  });

  it('refuses heavy statements beyond concurrency and queue (RESOURCE_EXHAUSTED, 429) while light ones answer', async () => {
    const abort = new AbortController();
    // Each streams for ever, one batch at a time as it is read: together they hold both heavy workers.
    const holders = await Promise.all([0, 1].map(() => served.engine.query('SELECT i FROM range(1000000000000) t(i)', { signal: abort.signal })));
    try {
      await assert.rejects(served.client.query('SELECT count(*) AS n FROM log_entries'), failsWith(status.RESOURCE_EXHAUSTED, /busy/));
      const response = await served.post('SELECT count(*) AS n FROM log_entries');
      assert.equal(response.status, 429);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal((await served.client.query('SELECT 1 AS one')).get(0)!.one, 1);
      assert.deepEqual((await served.client.getSchema('SELECT level FROM log_entries')).fields.map((f) => f.name), ['level']);
    } finally {
      abort.abort();
      for (const holder of holders) await assert.rejects((async () => { for await (const _ of holder.batches); })(), /cancelled/);
    }
    assert.equal((await served.client.query('SELECT count(*)::INTEGER AS n FROM log_entries')).get(0)!.n, 200);
  });

  it('kills the worker of a statement that ignores its interrupt, and replaces it', async () => {
    await assert.rejects(served.client.query(UNINTERRUPTIBLE), failsWith(status.DEADLINE_EXCEEDED));
    assert.equal((await served.client.query('SELECT count(*)::INTEGER AS n FROM log_entries')).get(0)!.n, 200);
  });
});
