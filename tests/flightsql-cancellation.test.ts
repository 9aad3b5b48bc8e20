// A FlightSQL client that gives up a query (its AbortSignal) cancels the gRPC call, and the server
// stops the running DuckDB query (interrupt) instead of letting it run to its end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import type { QueryEngine, QueryOptions } from '@micromegas/backend/query/engine';
import { openFixture, type Fixture } from '@micromegas/backend/query/testing/fixture';

/** Minutes of DuckDB work unless interrupted. */
const SLOW = 'SELECT count(*) AS n FROM range(1000000000000) t(i)';

/** The fixture's real engine, reporting each query's start and how its result ended. */
function observed(engine: QueryEngine) {
  const starts: Array<() => void> = [];
  const ends: Array<{ resolve: (outcome: string) => void }> = [];
  let running = 0;
  const wrapped: QueryEngine = {
    schema: (sql, options) => engine.schema(sql, options),
    close: () => engine.close(),
    async query(sql: string, options?: QueryOptions) {
      running += 1;
      starts.shift()?.();
      const end = (outcome: string) => {
        running -= 1;
        ends.shift()?.resolve(outcome);
      };
      try {
        const result = await engine.query(sql, options);
        return {
          schema: result.schema,
          batches: (async function* () {
            try {
              yield* result.batches;
              end('completed');
            } catch (error) {
              end((error as { code?: string }).code ?? 'failed');
              throw error;
            }
          })(),
        };
      } catch (error) {
        end((error as { code?: string }).code ?? 'failed');
        throw error;
      }
    },
  };
  return {
    engine: wrapped,
    started: () => new Promise<void>((resolve) => starts.push(resolve)),
    ended: () => new Promise<string>((resolve) => ends.push({ resolve })),
    running: () => running,
  };
}

let fixture: Fixture;
let observer: ReturnType<typeof observed>;
let server: FlightSqlServer;
let client: FlightSQLClient;

before(async () => {
  fixture = await openFixture();
  observer = observed(fixture.engine);
  server = await startFlightSqlServer({ engine: observer.engine, host: '127.0.0.1', port: 0 });
  client = new FlightSQLClient({ url: `grpc://127.0.0.1:${server.port}` });
});

after(async () => {
  client.close();
  await server.close();
  await fixture.close();
});

describe('FlightSQL cancellation', () => {
  it('aborting a running query cancels the call and interrupts the query on the server', async () => {
    const controller = new AbortController();
    const started = observer.started();
    const ended = observer.ended();
    const query = client.query(SLOW, undefined, undefined, { signal: controller.signal });
    await started;
    controller.abort();
    await assert.rejects(query, (err: unknown) => err instanceof FlightSQLError && err.code === status.CANCELLED);
    assert.equal(await ended, 'cancelled');
    assert.equal(observer.running(), 0);
    assert.equal((await client.query('SELECT 3 AS x')).get(0)!.x, 3);
  });

  it('a signal aborted before the call is made sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      client.query('SELECT 1', undefined, undefined, { signal: controller.signal }),
      (err: unknown) => err instanceof FlightSQLError && err.code === status.CANCELLED && err.rpc === 'GetFlightInfo',
    );
    await assert.rejects(
      client.getSqlInfo([0], { signal: controller.signal }),
      (err: unknown) => err instanceof FlightSQLError && err.code === status.CANCELLED,
    );
  });
});
