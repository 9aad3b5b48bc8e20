#!/usr/bin/env node
// Test fixture: a FlightSQL server as micromegas serves it (the backend's own FlightSQL handlers over
// its DuckDB query engine, no view sets), observed: every call's `authorization` header and every
// query's start and end (completed, cancelled by an interrupt, failed) are printed to stdout as JSON
// lines, with the number of queries still running. Serves until stdin closes.
// Options: --max-message-bytes N (largest FlightData body; the server's default keeps it under 4 MiB).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Server, ServerCredentials, ServerInterceptingCall } from '@grpc/grpc-js';
import { flightServiceDefinition } from '@micromegas/flightsql-client';
import { flightSqlHandlers } from '@micromegas/backend/flightsql/handlers';
import { createQueryEngine } from '@micromegas/backend/query/duckdb-engine';
import { StaticViewCatalog } from '@micromegas/backend/query/testing/static-catalog';

const { values: args } = parseArgs({ options: { 'max-message-bytes': { type: 'string', default: String(2 * 1024 * 1024) } } });
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

const dir = await mkdtemp(join(tmpdir(), 'mm-flightsql-fixture-'));
const real = await createQueryEngine({ catalog: new StaticViewCatalog([], dir), allowedDirs: [dir], memoryLimit: '512MB' });

let running = 0;
let nextId = 0;
const engine = {
  schema: (sql, options) => real.schema(sql, options),
  close: () => real.close(),
  async query(sql, options) {
    const id = ++nextId;
    running += 1;
    emit({ event: 'query-start', id, sql, running });
    const end = (outcome, error) => {
      running -= 1;
      emit({ event: 'query-end', id, outcome, ...(error ? { code: error.code, message: error.message } : {}), running });
    };
    const outcomeOf = (error) => (error?.code === 'cancelled' ? 'cancelled' : 'failed');
    let result;
    try {
      result = await real.query(sql, options);
    } catch (error) {
      end(outcomeOf(error), error);
      throw error;
    }
    async function* batches() {
      let ended = false;
      try {
        yield* result.batches;
        ended = true;
        end('completed');
      } catch (error) {
        ended = true;
        end(outcomeOf(error), error);
        throw error;
      } finally {
        if (!ended) {
          end('abandoned'); // the consumer stopped reading (a cancelled DoGet)
        }
      }
    }
    return { schema: result.schema, batches: batches() };
  },
};

const recordAuthorization = (method, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, accept) {
          const [authorization] = metadata.get('authorization');
          emit({ event: 'call', rpc: method.path, authorization: authorization ?? null });
          accept(metadata);
        },
      });
    },
  });

const server = new Server({ interceptors: [recordAuthorization] });
server.addService(
  flightServiceDefinition,
  flightSqlHandlers({ engine, tables: () => [], version: 'fixture', maxMessageBytes: Number(args['max-message-bytes']) }),
);
const port = await new Promise((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
);
emit({ event: 'listening', address: `127.0.0.1:${port}` });

const stop = async () => {
  server.forceShutdown();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);
