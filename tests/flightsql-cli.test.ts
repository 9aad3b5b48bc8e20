import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFlightSqlServer, type FlightSqlServer } from '@micromegas/backend/flightsql/index';
import { DuckDbTestEngine } from './flightsql-test-engine.js';

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

let engine: DuckDbTestEngine;
let server: FlightSqlServer;

before(async () => {
  engine = await DuckDbTestEngine.create([
    `CREATE TABLE logs AS SELECT i AS id, CASE WHEN i = 1 THEN 'has "quotes", commas' ELSE 'line ' || i END AS msg,
       TIMESTAMPTZ '2024-02-01T10:00:00Z' + INTERVAL (i) MINUTE AS time FROM range(3) t(i)`,
  ]);
  server = await startFlightSqlServer({ engine, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await server.close();
  await engine.close();
});

interface Run { code: number; stdout: string; stderr: string }

function micromegas(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'query', ...args], {
      env: { ...process.env, MICROMEGAS_FLIGHTSQL_URL: `grpc://127.0.0.1:${server.port}`, ...env },
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

describe('micromegas query', () => {
  it('prints an aligned table with a row count', async () => {
    const run = await micromegas(['SELECT id, msg FROM logs ORDER BY id']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, [
      'id | msg',
      '---+---------------------',
      ' 0 | line 0',
      ' 1 | has "quotes", commas',
      ' 2 | line 2',
      '(3 rows)',
      '',
    ].join('\n'));
  });

  it('prints RFC 4180 CSV', async () => {
    const run = await micromegas(['SELECT id, msg, time FROM logs ORDER BY id', '--format', 'csv']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trimEnd().split('\n'), [
      'id,msg,time',
      '0,line 0,2024-02-01T10:00:00.000000000Z',
      '1,"has ""quotes"", commas",2024-02-01T10:01:00.000000000Z',
      '2,line 2,2024-02-01T10:02:00.000000000Z',
    ]);
  });

  it('prints JSON rows and sends the time range (RFC 3339 and relative)', async () => {
    const run = await micromegas([
      `SELECT count(*)::INTEGER AS n FROM logs WHERE time >= getvariable('query_begin') AND time < getvariable('query_end')`,
      '--format', 'json', '--begin', '2024-02-01T10:01:00Z', '--end', '2024-02-01T11:00:00+00:00',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [{ n: 2 }]);

    const before = Date.now();
    const relative = await micromegas(['SELECT 1 AS one', '--begin', '2h', '--end', 'now', '--format', 'json']);
    assert.equal(relative.code, 0, relative.stderr);
    const range = engine.received.at(-1)!.range!;
    const span = range.end!.getTime() - range.begin!.getTime();
    assert.equal(span, 2 * 3600 * 1000);
    assert.ok(range.end!.getTime() >= before - 1000);
  });

  it('reports bad SQL with the server message and exit code 1', async () => {
    const run = await micromegas(['SELEC oops']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /INVALID_ARGUMENT: .*syntax error/i);
  });

  it('rejects bad options with usage and exit code 2', async () => {
    const badTime = await micromegas(['SELECT 1', '--begin', 'last week']);
    assert.equal(badTime.code, 2);
    assert.match(badTime.stderr, /--begin 'last week'/);
    const badFormat = await micromegas(['SELECT 1', '--format', 'xml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of table, csv, json/);
  });

  it('says so when no server answers', async () => {
    const run = await micromegas(['SELECT 1'], { MICROMEGAS_FLIGHTSQL_URL: 'grpc://127.0.0.1:1' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /UNAVAILABLE/);
  });
});
