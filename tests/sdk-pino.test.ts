/**
 * Real pino apps (child processes running tests/pino-app.ts) log through `@micromegas/tracing/pino`
 * into a running ingestion; their lines are read back over FlightSQL exactly: level, target, message,
 * properties, time to the nanosecond, and the process's identity.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { startLocalStack, type LocalStack } from './local-stack.js';

const APP = new URL('./pino-app.js', import.meta.url).pathname;

let stack: LocalStack;
let client: FlightSQLClient;
let ingestionUrl: string;

before(async () => {
  stack = await startLocalStack('pino', ['ingestion', 'flightsql'], { env: { MICROMEGAS_SELF_TELEMETRY_URL: 'off' } });
  ingestionUrl = stack.urlOf('ingestion');
  client = stack.client;
});

after(async () => {
  await stack?.stop();
});

interface App {
  pid: number;
  /** JSON lines the app printed, as they come. */
  lines: AsyncIterator<string>;
  exited: Promise<[number | null, string | null]>;
  stderr(): string;
  kill(): void;
}

function startApp(scenario: string, url = ingestionUrl): App {
  const child = spawn(process.execPath, [APP, scenario, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return {
    pid: child.pid!,
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exited: once(child, 'exit') as Promise<[number | null, string | null]>,
    stderr: () => stderr,
    kill: () => child.kill('SIGKILL'),
  };
}

async function readAll(lines: AsyncIterator<string>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let next = await lines.next(); !next.done; next = await lines.next()) out.push(JSON.parse(next.value) as Record<string, unknown>);
  return out;
}

interface Entry { time_ns: bigint; level: number; target: string; msg: string; properties: Record<string, string> }

/** Properties as FlightSQL returns them (a list of {key, value}) → an object. */
function propertyObject(list: Iterable<{ key: string; value: string }>): Record<string, string> {
  return Object.fromEntries([...list].map((p) => [p.key, p.value]));
}

const byTimeThenMsg = (a: Entry, b: Entry) => (a.time_ns < b.time_ns ? -1 : a.time_ns > b.time_ns ? 1 : a.msg.localeCompare(b.msg));

async function entriesOf(exe: string, begin: Date, end: Date): Promise<Entry[]> {
  const table = await client.query(
    `SELECT epoch_ns(time) AS time_ns, level, target, msg, properties FROM log_entries WHERE exe = '${exe}'`, begin, end);
  return table.toArray().map((row) => {
    const r = row.toJSON() as { time_ns: bigint; level: number; target: string; msg: string; properties: Iterable<{ key: string; value: string }> };
    return { time_ns: BigInt(r.time_ns), level: r.level, target: r.target, msg: r.msg, properties: propertyObject(r.properties) };
  }).sort(byTimeThenMsg);
}

const ns = (ms: unknown) => BigInt(ms as number) * 1_000_000n;
const around = (ms: number) => [new Date(ms - 3_600_000), new Date(ms + 3_600_000)] as const;

describe('pino transport → ingestion → FlightSQL', () => {
  it('sends every line of an app that simply ends, exactly as pino wrote it', async () => {
    const app = startApp('exit');
    const printed = await readAll(app.lines);
    assert.deepEqual(await app.exited, [0, null], app.stderr());
    assert.equal(printed.length, 7);
    const [checkout, slow, failed, down, detail, step, plain] = printed as [Record<string, unknown>, ...Record<string, unknown>[]];
    const entry = (line: Record<string, unknown>, level: number, msg: string, properties: Record<string, string> = {}): Entry =>
      ({ time_ns: ns(line['time']), level, target: 'shop', msg, properties });
    const expected = [
      entry(checkout, 4, 'checkout 3', { module: 'cart', 'user.id': '7', 'user.tags': '["a","b"]', ok: 'true' }),
      entry(slow!, 3, 'slow', { retry: 'null' }),
      entry(failed!, 2, 'failed', { 'err.type': 'Error', 'err.message': 'boom', 'err.stack': (failed!['err'] as { stack: string }).stack }),
      entry(down!, 1, 'down'),
      entry(detail!, 5, 'detail', { n: '1.5' }),
      entry(step!, 6, 'step'),
      entry(plain!, 4, 'plain'),
    ].sort(byTimeThenMsg);
    assert.deepEqual(await entriesOf('shop-api', ...around(Number(checkout['time']))), expected);

    const processes = await client.query(
      "SELECT exe, computer, properties FROM processes WHERE exe = 'shop-api'", ...around(Number(checkout['time'])));
    const rows = processes.toArray().map((r) => r.toJSON());
    assert.equal(rows.length, 1, 'one process for the app');
    assert.equal(rows[0]!['computer'], hostname());
    assert.deepEqual(propertyObject(rows[0]!['properties'] as Iterable<{ key: string; value: string }>),
      { deploy: 'blue', pid: String(app.pid), hostname: hostname() });
  });

  it('delivers on logger.flush() while the app goes on, with nanosecond timestamps kept exactly', async () => {
    const app = startApp('flush');
    try {
      const { value } = await app.lines.next();
      const { flushed, times } = JSON.parse(value as string) as { flushed: unknown; times: string[] };
      assert.equal(flushed, true);
      // `,"time":"2026-…T…:…:….123456789Z"` as pino's isoTimeNano wrote it; the lines' are the last two
      // (pino also calls the timestamp function once as the logger is made).
      const [opened, second] = times.slice(-2).map((t) => {
        const [, seconds, fraction] = /"time":"(.{19})\.(\d{9})Z"/.exec(t)!;
        return BigInt(Date.parse(`${seconds!}Z`)) * 1_000_000n + BigInt(fraction!);
      }) as [bigint, bigint];
      // The app is still running: what is queryable now was delivered by flush().
      const expected: Entry[] = [
        { time_ns: opened, level: 4, target: 'pino', msg: 'opened', properties: { who: 'ana' } },
        { time_ns: second, level: 4, target: 'pino', msg: 'second', properties: {} },
      ];
      assert.deepEqual(await entriesOf('flusher', ...around(Number(opened / 1_000_000n))), expected.sort(byTimeThenMsg));
    } finally {
      app.kill();
      await app.exited;
    }
  });

  it('neither blocks nor crashes an app whose ingestion cannot be reached', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve)); // nothing listens there any more
    const app = startApp('unreachable', `http://127.0.0.1:${port}`);
    const printed = await readAll(app.lines);
    assert.deepEqual(await app.exited, [0, null], app.stderr());
    assert.deepEqual(printed, [{ flushed: true, logged: 5000 }]);
    assert.equal(app.stderr(), '');
  });

  it('says once that an option is wrong, and the app goes on', async () => {
    const app = startApp('unreachable', 'ftp://127.0.0.1/');
    const printed = await readAll(app.lines);
    assert.deepEqual(await app.exited, [0, null], app.stderr());
    assert.deepEqual(printed, [{ flushed: true, logged: 5000 }]);
    assert.equal(app.stderr(), "@micromegas/tracing/pino: init({url}) must be an http(s) URL, got 'ftp://127.0.0.1/'; logs are not sent\n");
  });
});
