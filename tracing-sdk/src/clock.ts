/**
 * Time. The hot path stores raw `performance.now()` readings (a double in ms, ~42 ns here: the
 * cheapest monotonic source measured in bench/sdk.ts, allocation-free unlike hrtime() and
 * hrtime.bigint()). They become ticks, integer nanoseconds since the main thread's time origin,
 * when a block is sealed.
 *
 * Each worker thread has its own performance time origin, so a thread maps its readings onto the
 * main thread's frame with an offset calibrated once against process.hrtime, which is process-wide.
 */
import { performance } from 'node:perf_hooks';

export const TICKS_PER_SECOND = 1_000_000_000;
const EXACT_TICKS = 2n ** 51n;

/** hrtime (ns) at this thread's performance.now() zero. */
export function hrtimeAtOrigin(): bigint {
  // Two samples bracket the performance.now() reading; their midpoint cancels the call cost.
  const a = process.hrtime.bigint();
  const ms = performance.now();
  const b = process.hrtime.bigint();
  return (a + b) / 2n - BigInt(Math.round(ms * 1e6));
}

/** Shared by all threads of a process: where tick 0 is, on the hrtime and wall clocks. */
export interface TimeOrigin {
  /** hrtime (ns) at tick 0, as a decimal string (bigint does not cross structured clone everywhere). */
  hrtime: string;
  /** Unix epoch ns at tick 0, decimal string. */
  epochNs: string;
}

export function mainTimeOrigin(): TimeOrigin {
  return {
    hrtime: hrtimeAtOrigin().toString(),
    epochNs: BigInt(Math.round(performance.timeOrigin * 1e6)).toString(),
  };
}

/** Converts this thread's readings to process ticks and ticks to RFC 3339 times. */
export class Timebase {
  /** Ticks at this thread's performance.now() zero. */
  readonly offsetTicks: number;
  private readonly epochNs: bigint;

  constructor(origin: TimeOrigin) {
    this.offsetTicks = Number(hrtimeAtOrigin() - BigInt(origin.hrtime));
    this.epochNs = BigInt(origin.epochNs);
  }

  ticks(ms: number): number {
    return Math.round(ms * 1e6) + this.offsetTicks;
  }

  nowTicks(): number {
    return this.ticks(performance.now());
  }

  /**
   * The reading that `ticks()` turns into the instant `epochNs` (Unix ns), for events timed by
   * another clock (a pino line's time); undefined beyond ±2^51 ticks (26 days) from the time origin,
   * where the round trip through a double reading would no longer be exact.
   */
  readingAt(epochNs: bigint): number | undefined {
    const ticks = epochNs - this.epochNs;
    if (ticks > EXACT_TICKS || ticks < -EXACT_TICKS) return undefined;
    return Number(ticks - BigInt(this.offsetTicks)) / 1e6;
  }

  /** RFC 3339 UTC with nanoseconds. */
  rfc3339(ticks: number): string {
    const ns = this.epochNs + BigInt(ticks);
    const ms = ns / 1_000_000n;
    const sub = (ns % 1_000_000_000n).toString().padStart(9, '0');
    return new Date(Number(ms)).toISOString().slice(0, 19) + '.' + sub + 'Z';
  }
}
