import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mainTimeOrigin, Timebase } from './clock.js';

describe('Timebase', () => {
  const origin = mainTimeOrigin();
  const time = new Timebase(origin);
  const epochNs = BigInt(origin.epochNs);

  it('turns an instant of another clock into a reading that seals back to exactly that instant', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 51n), max: 2n ** 51n }), (offset) => {
      const reading = time.readingAt(epochNs + offset)!;
      assert.equal(BigInt(time.ticks(reading)), offset);
      assert.equal(time.rfc3339(time.ticks(reading)), time.rfc3339(Number(offset)));
    }));
  });

  it('refuses instants too far from the origin to seal exactly', () => {
    assert.equal(time.readingAt(epochNs + 2n ** 51n + 1n), undefined);
    assert.equal(time.readingAt(epochNs - 2n ** 51n - 1n), undefined);
  });
});
