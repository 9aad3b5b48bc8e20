/**
 * Time. The recording thread stores raw clock readings (a double: `performance.now()` in ms, or
 * the CPU's counter, see tsc.ts); the sink worker turns them into ticks when it encodes a block.
 * Ticks on the wire are integer nanoseconds since the main thread's `performance.now()` zero,
 * whatever clock a thread reads (so `tsc_frequency` is always 1e9 and threads share one timeline).
 *
 * Each thread has its own performance time origin, so a thread maps its readings onto the main
 * thread's frame with an offset calibrated once against process.hrtime, which is process-wide.
 */
import { performance } from 'node:perf_hooks';

export const TICKS_PER_SECOND = 1_000_000_000;
/** Beyond this many ticks from the origin (26 days), an instant of another clock is not taken as is. */
const EXACT_TICKS = 2n ** 51n;

/** A clock reading and the hrtime it was taken at (ns, since tick 0 or since hrtime's own zero). */
export interface Pair {
  count: number;
  ns: number;
}

const SAMPLES = 5;

/**
 * Two hrtime reads bracket a reading of `read`: their midpoint dates it. Of a few tries the
 * tightest bracket wins, so a try that was preempted or ran cold code (microseconds) is discarded.
 */
export function bracketedReading(read: () => number, originHrtime = 0n, hrtime: () => bigint = process.hrtime.bigint): Pair {
  let best: Pair = { count: 0, ns: 0 };
  let width = Infinity;
  for (let k = 0; k < SAMPLES; k++) {
    const a = hrtime();
    const count = read();
    const b = hrtime();
    if (Number(b - a) < width) {
      width = Number(b - a);
      best = { count, ns: Number((a + b) / 2n - originHrtime) };
    }
  }
  return best;
}

/** hrtime (ns) at this thread's performance.now() zero. */
export function hrtimeAtOrigin(): bigint {
  const a = process.hrtime.bigint();
  const p = bracketedReading(() => performance.now(), a);
  return a + BigInt(p.ns) - BigInt(Math.round(p.count * 1e6));
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

/** Ticks of this thread's `performance.now()` zero: what turns its readings into ticks. */
export function performanceOffsetTicks(origin: TimeOrigin): number {
  return Number(hrtimeAtOrigin() - BigInt(origin.hrtime));
}

/** Raw readings of one recording thread's clock to ticks (on the sink worker). */
export interface Timebase {
  ticks(raw: number): number;
}

/** Readings of `performance.now()` on a thread whose zero is `offsetTicks`. */
export class PerformanceTimebase implements Timebase {
  constructor(private readonly offsetTicks: number) {}

  ticks(ms: number): number {
    return Math.round(ms * 1e6) + this.offsetTicks;
  }
}

/** Ticks to RFC 3339 UTC with nanoseconds. */
export class WallClock {
  private readonly epochNs: bigint;

  constructor(origin: TimeOrigin) {
    this.epochNs = BigInt(origin.epochNs);
  }

  /**
   * The ticks of the instant `epochNs` (Unix ns), for events timed by another clock (a pino line's
   * time); undefined beyond ±2^51 ticks (26 days) from the time origin.
   */
  ticksAt(epochNs: bigint): number | undefined {
    const ticks = epochNs - this.epochNs;
    if (ticks > EXACT_TICKS || ticks < -EXACT_TICKS) return undefined;
    return Number(ticks);
  }

  rfc3339(ticks: number): string {
    const ns = this.epochNs + BigInt(ticks);
    const ms = ns / 1_000_000n;
    const sub = (ns % 1_000_000_000n).toString().padStart(9, '0');
    return new Date(Number(ms)).toISOString().slice(0, 19) + '.' + sub + 'Z';
  }
}
