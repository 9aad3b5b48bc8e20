// Strings cross from the recording thread to the SDK worker as one UTF-8 area per block: every
// kind of text, repeats, texts larger than the area, and interned or inline targets come out exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { flush, floatMetric, info, init, logger, shutdown, sinkStats, streamIds } from '@micromegas/tracing';
import { MAX_TARGETS } from '@micromegas/tracing/registry';
import { StubIngestion } from './sdk-stub-ingestion.js';

const stub = new StubIngestion();
let url = '';
before(async () => {
  url = await stub.start();
});
after(() => stub.stop());

/** What the wire makes of a recorded string: lone surrogates become U+FFFD. */
function wire(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

function wireProps(props: Record<string, string> | undefined): Record<string, string> | undefined {
  return props && Object.fromEntries(Object.entries(props).map(([k, v]) => [wire(k), wire(v)]));
}

test('every string arrives exactly: non-ASCII, lone and split surrogates, repeats, texts beyond the block area, many properties', async () => {
  init({ url, exe: 'sdk-strings-test', blockEvents: 8, flushPeriodMs: 60_000 });
  const ids = streamIds()!;
  const log = logger('strings');
  const sent: [string, Record<string, string> | undefined][] = [];
  const record = (msg: string, props?: Record<string, string>): void => {
    log.info(msg, props);
    sent.push([msg, props]);
  };
  for (const msg of ['plain', '', 'é à ü', '日本語のメッセージ', 'emoji 😀!', 'lone high \ud800.', '\udc00 lone low']) record(msg);
  // A high surrogate ending one string and a low one starting the next form a pair once joined.
  record('ends high \ud83d', { '\ude00starts low': 'v\ud83d', '\ude00': 'x' });
  for (let i = 0; i < 20; i++) record(i % 3 === 0 ? 'again' : 'and again', { key: 'again', n: String(i % 2) });
  record('a'.repeat(10_000));
  record('é'.repeat(3_000), { big: '→'.repeat(2_000) });
  const many = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, `v${i}`]));
  log.info('many properties', many);
  const kept = Object.fromEntries(Object.entries(many).slice(0, 511));
  sent.push(['many properties', kept]);
  record('after');

  const temperature = floatMetric('temperature', 'C', 'strings');
  for (let i = 0; i < 10; i++) temperature.record(i, { room: i % 2 ? 'cuisine' : 'séjour' });
  assert.equal(await shutdown(), true);

  const logs = stub.eventsOf(ids.log).map((e) => (e.kind === 'log' ? [e.msg, e.properties] : e.kind));
  assert.deepStrictEqual(logs, sent.map(([m, p]) => [wire(m), wireProps(p)]));
  const rooms = stub.eventsOf(ids.metrics).map((e) => (e.kind === 'measure' ? e.properties?.['room'] : e.kind));
  assert.deepStrictEqual(rooms, Array.from({ length: 10 }, (_, i) => (i % 2 ? 'cuisine' : 'séjour')));
});

test('free-form targets past the interned ones travel with their events', async () => {
  init({ url, exe: 'sdk-targets-test', blockEvents: 64, flushPeriodMs: 60_000 });
  const ids = streamIds()!;
  const targets = Array.from({ length: MAX_TARGETS + 10 }, (_, i) => `target.${i}`);
  for (const target of targets) info(target, 'hello');
  info('target.3', 'interned one more time');
  flush();
  assert.equal(sinkStats()!.lostEvents, 0);
  assert.equal(await shutdown(), true);
  const got = stub.eventsOf(ids.log).map((e) => (e.kind === 'log' ? e.target : e.kind));
  assert.deepStrictEqual(got, [...targets, 'target.3']);
});
