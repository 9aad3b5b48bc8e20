import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Field, Int64, List, makeData, RecordBatch, Schema, Struct, TimestampNanosecond, TimeUnit, Utf8, vectorFromArray } from 'apache-arrow';
import { batchRows, formatTimestamp, plainValue } from './values.js';

describe('Arrow values as plain values', () => {
  it('formats timestamps at their unit precision, before and after the epoch', () => {
    assert.equal(formatTimestamp(1_700_000_000_123_456_789n, TimeUnit.NANOSECOND), '2023-11-14T22:13:20.123456789Z');
    assert.equal(formatTimestamp(1_700_000_000_123_456n, TimeUnit.MICROSECOND), '2023-11-14T22:13:20.123456Z');
    assert.equal(formatTimestamp(1_700_000_000_123n, TimeUnit.MILLISECOND), '2023-11-14T22:13:20.123Z');
    assert.equal(formatTimestamp(1_700_000_000n, TimeUnit.SECOND), '2023-11-14T22:13:20Z');
    assert.equal(formatTimestamp(-1n, TimeUnit.NANOSECOND), '1969-12-31T23:59:59.999999999Z');
  });

  it('agrees with Date#toISOString across the calendar', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const seconds = [0, -1, 951_782_400, 951_868_799, 4_107_542_400, -62_135_596_800, 253_402_300_799];
    for (let i = 0; i < 20_000; i++) seconds.push(Math.floor((next() - 0.5) * 2 * 253_402_300_799));
    for (const s of seconds) {
      const expected = new Date(s * 1000).toISOString().replace('.000Z', 'Z');
      assert.equal(formatTimestamp(BigInt(s), TimeUnit.SECOND), expected, `second ${s}`);
    }
  });

  it('keeps 64-bit integers exact', () => {
    assert.equal(plainValue(42n), 42);
    assert.equal(plainValue(9_007_199_254_740_993n), '9007199254740993');
    assert.equal(plainValue(new Uint8Array([1, 2, 3])), 'AQID');
  });

  it('reads rows with nested values and nanosecond timestamps', () => {
    const props = new List(new Field('item', new Struct([new Field('key', new Utf8()), new Field('value', new Int64())])));
    const schema = new Schema([new Field('time', new TimestampNanosecond('UTC')), new Field('props', props)]);
    const time = makeData({ type: new TimestampNanosecond('UTC'), length: 2, nullCount: 1, nullBitmap: new Uint8Array([1]), data: new BigInt64Array([1_000_000_001n, 0n]) });
    const nested = vectorFromArray([[{ key: 'a', value: 1n }], []], props).data[0]!;
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, children: [time, nested] }));
    assert.deepEqual([...batchRows(batch)], [
      { time: '1970-01-01T00:00:01.000000001Z', props: [{ key: 'a', value: 1 }] },
      { time: null, props: [] },
    ]);
  });
});
