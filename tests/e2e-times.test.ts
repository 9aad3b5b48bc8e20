// Event times across the whole path: ticks as the SDK stamps them (the CPU's counter or
// performance.now(), mapped to ns) → process start_time, start_ticks and tsc_frequency → HTTP
// ingestion → lakehouse views → FlightSQL. And a client that sends raw counter ticks at its own
// tsc_frequency, as micromegas's Rust SDK does, gets its ticks converted by that frequency.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlockEncoder, dependenciesMetadata, encodeCbor, envelopeTicks, objectsMetadata, type Block, type ProcessInfo, type StreamInfo } from '@micromegas/wire';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { startLocalStack, type LocalStack } from './local-stack.js';
import * as sdk from '@micromegas/tracing';

let stack: LocalStack;
let client: FlightSQLClient;
let ingestionUrl: string;

before(async () => {
  stack = await startLocalStack('e2e-times', ['ingestion', 'flightsql']);
  ingestionUrl = stack.urlOf('ingestion');
  client = stack.client;
});

after(async () => {
  await stack?.stop();
});

/** The wall clock now, in Unix ns, on the same footing as the SDK's times (performance.timeOrigin). */
function wallNs(): bigint {
  return BigInt(Math.round(performance.timeOrigin * 1e6)) + BigInt(Math.round(performance.now() * 1e6));
}

async function column(sql: string): Promise<bigint[]> {
  const table = await client.query(sql);
  return table.toArray().map((r) => BigInt(r.toJSON().t));
}

for (const clock of ['auto', 'portable'] as const) {
  test(`${clock} clock: log and span times in the lakehouse are the wall-clock times of the calls, within 200 µs`, async () => {
    sdk.init({ url: ingestionUrl, exe: `e2e-times-${clock}`, clock, flushPeriodMs: 50 });
    const processId = sdk.processId()!;
    const { cpu } = sdk.streamIds()!;
    const log = sdk.logger('e2e.times');
    const step = sdk.spanScope('step');
    const brackets: [bigint, bigint][] = [];
    for (let i = 0; i < 20; i++) {
      const from = wallNs();
      log.info(`event ${i}`);
      step.begin();
      step.end();
      brackets.push([from, wallNs()]);
      await sleep(i % 5 === 0 ? 40 : 3);
    }
    assert.equal(await sdk.shutdown(), true);

    const logs = await column(`SELECT epoch_ns(time)::VARCHAR AS t FROM view_instance('log_entries', '${processId}') ORDER BY time`);
    const spans = await column(`SELECT epoch_ns(begin)::VARCHAR AS t FROM view_instance('thread_spans', '${cpu}') ORDER BY begin`);
    assert.equal(logs.length, 20);
    assert.equal(spans.length, 20);
    const slack = 200_000n;
    brackets.forEach(([from, to], i) => {
      for (const t of [logs[i]!, spans[i]!]) assert.ok(t >= from - slack && t <= to + slack, `event ${i}: ${t} not in [${from}, ${to}]`);
    });
  });
}

test('raw counter ticks at a client-given tsc_frequency become times by that frequency, to the nanosecond', async () => {
  const frequency = 2_999_999_937; // a 3 GHz counter, as calibrated by some client
  const startTicks = 5_000_000_000_000;
  const startNs = (BigInt(Date.now()) - 60_000n) * 1_000_000n + 123_456_789n;
  const ticks = [startTicks + 17, startTicks + 2_999_999_937, startTicks + 31_415_926_535, startTicks + 59 * frequency + 1];
  const processId = await sendLogs('tsc-client', { frequency, startTicks, startNs }, ticks, [startNs, startNs + 60_000_000_000n]);
  const times = await column(`SELECT epoch_ns(time)::VARCHAR AS t FROM view_instance('log_entries', '${processId}') ORDER BY time`);
  // start_time + floor((ticks - start_ticks) * 1e9 / tsc_frequency)
  assert.deepStrictEqual(times, ticks.map((t) => startNs + (BigInt(t - startTicks) * 1_000_000_000n) / BigInt(frequency)));
});

test('a process up for 150 days (ticks past 2^53, as the SDK keeps them in doubles) has exact times', async () => {
  const day = 86_400_000_000_000;
  const uptime = 150 * day;
  const startNs = (BigInt(Date.now()) - BigInt(uptime / 1e6) - 60_000n) * 1_000_000n;
  // doubles here step by 2 ns: the SDK's own readings are such values
  const ticks = [uptime, uptime + 2, uptime + 1_000_000, uptime + 59_999_999_998];
  const processId = await sendLogs('long-runner', { frequency: 1_000_000_000, startTicks: 0, startNs }, ticks, [startNs + BigInt(uptime), startNs + BigInt(uptime) + 60_000_000_000n]);
  const times = await column(`SELECT epoch_ns(time)::VARCHAR AS t FROM view_instance('log_entries', '${processId}') ORDER BY time`);
  assert.deepStrictEqual(times, ticks.map((t) => startNs + BigInt(t)));
});

function iso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19) + '.' + (ns % 1_000_000_000n).toString().padStart(9, '0') + 'Z';
}

/** A process, its log stream and one block (from `beginNs` to `endNs`) of logs at `ticks`, through HTTP. */
async function sendLogs(
  exe: string, clock: { frequency: number; startTicks: number; startNs: bigint }, ticks: number[], [beginNs, endNs]: [bigint, bigint],
): Promise<string> {
  const process: ProcessInfo = {
    process_id: randomUUID(), exe, username: 'u', realname: 'u', computer: 'c', distro: 'd', cpu_brand: 'b',
    tsc_frequency: clock.frequency, start_time: iso(clock.startNs), start_ticks: clock.startTicks, parent_process_id: '', properties: {},
  };
  const stream: StreamInfo = {
    stream_id: randomUUID(), process_id: process.process_id, dependencies_metadata: dependenciesMetadata(),
    objects_metadata: objectsMetadata(), tags: ['log'], properties: {},
  };
  const encoder = new BlockEncoder(ticks[0]);
  ticks.forEach((t, i) => encoder.log(t, 4, exe, `at ${i}`));
  const block: Block = {
    block_id: randomUUID(), stream_id: stream.stream_id, process_id: process.process_id,
    begin_time: iso(beginNs), begin_ticks: envelopeTicks(ticks[0]!), end_time: iso(endNs),
    end_ticks: envelopeTicks(ticks.at(-1)!), payload: encoder.finish(), object_offset: 0, nb_objects: ticks.length,
  };
  for (const [path, body] of [['insert_process', process], ['insert_stream', stream], ['insert_block', block]] as const) {
    const response = await fetch(`${ingestionUrl}/ingestion/${path}`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: encodeCbor(body) });
    assert.equal(response.status, 200, `${path}: ${await response.text()}`);
  }
  return process.process_id;
}
