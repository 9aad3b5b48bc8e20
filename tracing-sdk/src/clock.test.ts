import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mainTimeOrigin, WallClock } from './clock.js';

describe('WallClock', () => {
  const origin = mainTimeOrigin();
  const wall = new WallClock(origin);
  const epochNs = BigInt(origin.epochNs);

  it('turns an instant of another clock into ticks that date back to exactly that instant', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 51n), max: 2n ** 51n }), (offset) => {
      const ticks = wall.ticksAt(epochNs + offset)!;
      assert.equal(BigInt(ticks), offset);
      assert.equal(wall.rfc3339(ticks), wall.rfc3339(Number(offset)));
    }));
  });

  it('refuses instants too far from the origin to keep exactly', () => {
    assert.equal(wall.ticksAt(epochNs + 2n ** 51n + 1n), undefined);
    assert.equal(wall.ticksAt(epochNs - 2n ** 51n - 1n), undefined);
  });
});
