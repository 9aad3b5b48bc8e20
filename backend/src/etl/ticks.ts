/**
 * Ticks → nanoseconds since the Unix epoch, exactly:
 *   ns(t) = start_time_ns + floor((t - start_ticks) * 1e9 / tsc_frequency)
 * The product overflows doubles long before it overflows int64, so BigInt does the per-block part
 * once and events only pay a small-number division: with 1e9/f reduced to num/den and
 * (t_block - start_ticks) * num = q * den + r, an event `dt` ticks after its block's first tick is at
 *   ns = (start_time_ns + q) + floor((r + dt * num) / den)
 * where the second term is exact in doubles while below 2^53 (104 days after the block's first tick).
 */
import type { Int64 } from '../lake/telemetry/records.js';

/** A process whose clock cannot convert ticks (zero or negative frequency). */
export class InvalidClockError extends Error {
  override name = 'InvalidClockError';
  constructor(readonly processId: string, readonly tscFrequency: Int64) {
    super(`process ${processId}: tsc_frequency ${tscFrequency} cannot convert ticks to time`);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Where one block's ticks start on the process clock. */
export interface BlockClock {
  /** Nanoseconds since the epoch that event offsets are relative to. */
  readonly baseNs: bigint;
  /** Ticks of the block's reference point (offsets are computed from `ticks - refTicks`). */
  readonly refTicks: number;
  /** Remainder carried into each event's division (0 ≤ rem < den). */
  readonly rem: number;
}

export class ProcessClock {
  readonly #startNs: bigint;
  readonly #startTicks: bigint;
  readonly #num: number;
  readonly #den: number;

  constructor(processId: string, startTimeNs: bigint, startTicks: Int64, tscFrequency: Int64) {
    const freq = BigInt(tscFrequency);
    if (freq <= 0n) throw new InvalidClockError(processId, tscFrequency);
    const g = gcd(1_000_000_000n, freq);
    this.#startNs = startTimeNs;
    this.#startTicks = BigInt(startTicks);
    this.#num = Number(1_000_000_000n / g);
    this.#den = Number(freq / g);
  }

  /** Exact nanoseconds for any tick value (BigInt: for per-block use, not per event). */
  toNs(ticks: Int64): bigint {
    return this.#startNs + floorDiv((BigInt(ticks) - this.#startTicks) * BigInt(this.#num), BigInt(this.#den));
  }

  /** The reference for the events of a block whose ticks are near `refTicks`. */
  blockClock(refTicks: Int64): BlockClock {
    const scaled = (BigInt(refTicks) - this.#startTicks) * BigInt(this.#num);
    const den = BigInt(this.#den);
    const q = floorDiv(scaled, den);
    return { baseNs: this.#startNs + q, refTicks: Number(refTicks), rem: Number(scaled - q * den) };
  }

  /**
   * Nanoseconds from `clock.baseNs` to the event at `ticks` (a safe integer as a number). Exact
   * for events within 2^53 ns (104 days) of their block's first tick: falls back to BigInt when
   * the numerator leaves the range where doubles are exact.
   */
  offsetNs(clock: BlockClock, ticks: number): number {
    const a = clock.rem + (ticks - clock.refTicks) * this.#num;
    const den = this.#den;
    if (Math.abs(a) <= Number.MAX_SAFE_INTEGER) {
      if (den === 1) return a;
      let k = Math.floor(a / den);
      // The division is rounded: nudge k so that k*den <= a < (k+1)*den holds exactly.
      if (k * den > a) k -= 1;
      else if ((k + 1) * den <= a) k += 1;
      return k;
    }
    // Beyond 2^53 the quotient is still known to within its rounding error: floor it when it is
    // clearly inside an integer interval, and leave the rare near-integer case to BigInt.
    const q = a / den;
    const k = Math.floor(q);
    const error = Math.abs(q) * 4e-16 + 1e-9;
    if (q - k > error && q - k < 1 - error) return k;
    return Number(floorDiv(BigInt(clock.rem) + (BigInt(ticks) - BigInt(clock.refTicks)) * BigInt(this.#num), BigInt(den)));
  }
}
