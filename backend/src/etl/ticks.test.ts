import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidClockError, ProcessClock } from './ticks.js';

/** The definition, in BigInt: start + floor((t - start_ticks) * 1e9 / f). */
function reference(startNs: bigint, startTicks: bigint, freq: bigint, ticks: bigint): bigint {
  const scaled = (ticks - startTicks) * 1_000_000_000n;
  const q = scaled / freq;
  return startNs + (scaled % freq !== 0n && scaled < 0n ? q - 1n : q);
}

describe('ProcessClock', () => {
  it('matches the BigInt definition for any frequency, block and event (property-based)', () => {
    fc.assert(fc.property(
      fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }),
      fc.integer({ min: 0, max: 2 ** 52 }),
      fc.oneof(fc.constantFrom(1_000, 1_000_000, 1_000_000_000, 2_400_000_001, 3_000_000_000), fc.integer({ min: 1, max: 2 ** 40 })),
      fc.integer({ min: -(2 ** 40), max: 2 ** 45 }),
      fc.array(fc.integer({ min: -1_000_000, max: 2 ** 36 }), { minLength: 1, maxLength: 20 }),
      (startNs, startTicks, freq, blockDelta, eventDeltas) => {
        const clock = new ProcessClock('p', startNs, startTicks, freq);
        const blockTicks = Math.max(0, startTicks + blockDelta);
        const block = clock.blockClock(blockTicks);
        for (const d of eventDeltas) {
          if (Math.abs(d) * (1e9 / freq) > 2 ** 52) continue; // beyond 104 days from its block: out of contract
          const ticks = blockTicks + d;
          const expected = reference(startNs, BigInt(startTicks), BigInt(freq), BigInt(ticks));
          assert.equal(block.baseNs + BigInt(clock.offsetNs(block, ticks)), expected);
          assert.equal(clock.toNs(ticks), expected);
        }
      }), { numRuns: 500 });
  });

  it('refuses a clock that cannot convert', () => {
    assert.throws(() => new ProcessClock('p-1', 0n, 0, 0), (err) => err instanceof InvalidClockError && /p-1/.test(err.message));
  });
});
