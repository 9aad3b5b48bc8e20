import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockEncoder } from './encoder.js';
import { decodeBlockEvents, type WireEvent } from './events.js';
import type { MetricDescriptor, SpanDescriptor } from './descriptors.js';
import { envelopeTicks, type Properties } from './envelope.js';
import { decodeCbor, encodeCbor, encodeCborArray } from './cbor.js';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const plain = { noNullPrototype: true } as const;
const spanDesc = fc.record({ name: text, target: text, filename: text, line: fc.nat({ max: 1e6 }) }, plain);
const metricDesc = fc.record({ name: text, unit: text, target: text }, plain);
const props = fc.option(fc.dictionary(text, text, { minKeys: 1, maxKeys: 4, ...plain }), { nil: undefined });
const ticksDelta = fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: 2 ** 40 }), fc.integer({ min: -1000, max: 0 }));
const id = fc.nat({ max: Number.MAX_SAFE_INTEGER });

/** Events with descriptors drawn from a small pool, so ids repeat within a block as in real streams. */
function eventArb(spans: SpanDescriptor[], metrics: MetricDescriptor[]) {
  const span = fc.constantFrom(...spans);
  const metric = fc.constantFrom(...metrics);
  return fc.oneof(
    fc.record({ kind: fc.constant('log' as const), level: fc.integer({ min: 1, max: 6 }), target: text, msg: fc.string({ unit: 'grapheme', maxLength: 300 }), properties: props }),
    fc.record({ kind: fc.constant('int' as const), desc: metric, value: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat()), properties: props }),
    fc.record({ kind: fc.constant('float' as const), desc: metric, value: fc.double(), properties: props }),
    fc.record({ kind: fc.constantFrom('spanBegin' as const, 'spanEnd' as const), desc: span }),
    fc.record({ kind: fc.constantFrom('asyncBegin' as const, 'asyncEnd' as const), desc: span, spanId: id, parentSpanId: id, depth: fc.nat({ max: 1000 }) }),
  ).chain((e) => ticksDelta.map((dt) => ({ ...e, dt })));
}

const blockArb = fc
  .record({ spans: fc.array(spanDesc, { minLength: 1, maxLength: 5 }), metrics: fc.array(metricDesc, { minLength: 1, maxLength: 5 }) })
  .chain(({ spans, metrics }) =>
    fc.record({ base: fc.nat({ max: 2 ** 50 }), events: fc.array(eventArb(spans, metrics), { maxLength: 60 }) }),
  );

function writeProps(enc: BlockEncoder, properties: Properties | undefined): void {
  for (const [k, v] of Object.entries(properties ?? {})) enc.property(k, v);
}

function nbProps(properties: Properties | undefined): number {
  return properties ? Object.keys(properties).length : 0;
}

test('every event decodes back exactly (property-based)', () => {
  fc.assert(
    fc.property(blockArb, ({ base, events }) => {
      const enc = new BlockEncoder(base);
      const expected: WireEvent[] = [];
      let ticks = base;
      for (const e of events) {
        ticks += e.dt;
        switch (e.kind) {
          case 'log':
            enc.log(ticks, e.level, e.target, e.msg, nbProps(e.properties));
            writeProps(enc, e.properties);
            expected.push({ kind: 'log', ticks, level: e.level, target: e.target, msg: e.msg, ...(e.properties && { properties: e.properties }) });
            break;
          case 'int':
          case 'float':
            if (e.kind === 'int') enc.intMeasure(ticks, e.desc, e.value, nbProps(e.properties));
            else enc.floatMeasure(ticks, e.desc, e.value, nbProps(e.properties));
            writeProps(enc, e.properties);
            expected.push({ kind: 'measure', ticks, ...e.desc, value: e.value, ...(e.properties && { properties: e.properties }) });
            break;
          case 'spanBegin':
          case 'spanEnd':
            enc[e.kind](ticks, e.desc);
            expected.push({ kind: e.kind, ticks, desc: e.desc });
            break;
          case 'asyncBegin':
          case 'asyncEnd':
            enc[e.kind](ticks, e.desc, e.spanId, e.parentSpanId, e.depth);
            expected.push({ kind: e.kind, ticks, spanId: e.spanId, parentSpanId: e.parentSpanId, depth: e.depth, desc: e.desc });
            break;
        }
      }
      assert.equal(enc.count, events.length);
      const decoded = decodeBlockEvents(enc.finish());
      assert.deepStrictEqual(decoded, expected);
    }),
    { numRuns: 300 },
  );
});

test('events of one block share one descriptor object per id', () => {
  const desc = { name: 'frame', target: 'game', filename: 'loop.ts', line: 12 };
  const enc = new BlockEncoder(100);
  enc.spanBegin(101, desc);
  enc.spanEnd(105, desc);
  const [begin, end] = decodeBlockEvents(enc.finish());
  assert.ok(begin && 'desc' in begin && end && 'desc' in end);
  assert.equal(begin.desc, end.desc);
  assert.deepStrictEqual(begin.desc, desc);
});

test('an encoder reset starts a new self-contained block', () => {
  const desc = { name: 'fps', unit: 'hz', target: 'game' };
  const enc = new BlockEncoder(0);
  enc.floatMeasure(10, desc, 60);
  const first = enc.finish();
  enc.reset(1000);
  enc.intMeasure(1010, desc, -7);
  const second = enc.finish();
  // The second block must redefine the descriptor: decode it without the first.
  assert.deepStrictEqual(decodeBlockEvents(second), [{ kind: 'measure', ticks: 1010, ...desc, value: -7 }]);
  assert.deepStrictEqual(decodeBlockEvents(first), [{ kind: 'measure', ticks: 10, ...desc, value: 60 }]);
});

test('logs and properties given as UTF-8 bytes encode exactly as given as strings (property-based)', () => {
  // Lone surrogates included: both paths turn them into U+FFFD.
  const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('\ud800', '\udfff', 'é', '→', '😀'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 60 });
  fc.assert(
    fc.property(fc.array(fc.tuple(anyText, fc.array(fc.tuple(anyText, anyText), { maxLength: 3 })), { maxLength: 20 }), (logs) => {
      const fromStrings = new BlockEncoder(0);
      const fromBytes = new BlockEncoder(0);
      logs.forEach(([msg, props], i) => {
        fromStrings.log(i, 4, 'target', msg, props.length);
        for (const [k, v] of props) fromStrings.property(k, v);
        const encoded = [msg, ...props.flat()].map((s) => Buffer.from(s, 'utf8'));
        const bytes = Buffer.concat(encoded);
        const ranges = encoded.map((e) => e.length);
        let at = 0;
        const next = (): [number, number] => [at, (at += ranges.shift()!)];
        fromBytes.logUtf8(i, 4, 'target', bytes, ...next(), props.length);
        for (let p = 0; p < props.length; p++) fromBytes.propertyUtf8(bytes, ...next(), ...next());
      });
      const a = fromStrings.finish();
      const b = fromBytes.finish();
      assert.deepStrictEqual([Buffer.from(b.objects), Buffer.from(b.dependencies)], [Buffer.from(a.objects), Buffer.from(a.dependencies)]);
    }),
    { numRuns: 200 },
  );
});

test('ticks of a process up for months (past 2^53 ns, as the SDK keeps them in doubles) decode to the same doubles', () => {
  const desc = { name: 'frame', target: 'game', filename: 'loop.ts', line: 12 };
  const day = 86_400e9;
  // 60 days: the tick is safe but its zigzag fold is not; 150 and 290 days: the tick itself is past 2^53.
  for (const uptime of [60 * day, 150 * day + 6, 290 * day + 512]) {
    const ticks = [uptime, uptime + 16, uptime + 1_000_000, uptime + 3_600e9];
    const enc = new BlockEncoder(ticks[0]);
    for (const t of ticks) enc.spanBegin(t, desc);
    assert.deepStrictEqual(decodeBlockEvents(enc.finish()).map((e) => e.ticks), ticks, `uptime ${uptime}`);
  }
});

test('envelope ticks are CBOR integers: numbers while safe, bigints beyond', () => {
  assert.equal(envelopeTicks(2 ** 53 - 1), 2 ** 53 - 1);
  assert.equal(envelopeTicks(2 ** 53 + 2), 2n ** 53n + 2n);
  assert.equal(envelopeTicks(-(2 ** 60)), -(2n ** 60n));
});

test('an array of encoded items is the CBOR array of the items, at every head length', () => {
  for (const count of [0, 1, 23, 24, 255, 256, 1000]) {
    const items = Array.from({ length: count }, (_, i) => ({ i, text: `item ${i}` }));
    assert.deepEqual(decodeCbor(encodeCborArray(items.map((item) => encodeCbor(item)))), items, `${count} items`);
  }
});
