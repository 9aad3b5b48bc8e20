/**
 * The CPU's timestamp counter as the recording clock, when the optional addon (native/tsc.c, built
 * at install) loaded and the counter is invariant; otherwise `performance.now()`. bench/sdk.ts
 * measures both: writing the counter into a typed array costs about a third of `performance.now()`.
 *
 * The recording thread stores raw counts; the sink worker maps them to ticks (ns on the hrtime
 * frame) through `TscTimebase`, calibrated against the monotonic clock at start and steered back
 * to it once a second, so event times agree with `performance.now()` for the life of the process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { bracketedReading, type Pair, type Timebase } from './clock.js';

export interface TscAddon {
  readonly available: boolean;
  /** A function writing the counter (since the process's first read) into `slot[0]`. */
  stamper(slot: Float64Array): () => void;
  /** The counter since the process's first read. */
  now(): number;
  /** This thread's CPU time in ns (-1 if unknown). */
  threadCpuNs(): number;
  /** This thread's kernel id (-1 if unknown). */
  threadId(): number;
}

let addon: TscAddon | null | undefined;

/** The addon of this package, or undefined when it was not built (no compiler at install). */
export function tscAddon(): TscAddon | undefined {
  if (addon === undefined) {
    try {
      const loaded = createRequire(import.meta.url)('../build/Release/micromegas_tsc.node') as TscAddon;
      addon = loaded.available ? loaded : null;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * Whether the counter ticks at a constant rate, in every power state, in step on every core: the
 * arm64 generic timer always does; on x86-64 Linux the CPU must say `constant_tsc` and
 * `nonstop_tsc` in /proc/cpuinfo, and the kernel must still offer the TSC as a clocksource (it
 * withdraws it when it finds the cores out of step).
 */
export function invariantCounter(arch: string, platform: string, cpuinfo: string | undefined, clocksources: string | undefined): boolean {
  if (arch === 'arm64') return true;
  if (arch !== 'x64' || platform !== 'linux') return false;
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo ?? '')?.[1]?.split(/\s+/) ?? [];
  if (!flags.includes('constant_tsc') || !flags.includes('nonstop_tsc')) return false;
  return clocksources === undefined || clocksources.split(/\s+/).includes('tsc');
}

/** invariantCounter() for this machine. */
export function counterInvariant(): boolean {
  return invariantCounter(
    process.arch,
    process.platform,
    readText('/proc/cpuinfo'),
    readText('/sys/devices/system/clocksource/clocksource0/available_clocksource'),
  );
}

export type ClockSource = 'tsc' | 'performance.now';

/** What the recording thread calls for each event. */
export interface RecordingClock {
  readonly source: ClockSource;
  now(): number;
}

const performanceClock: RecordingClock = { source: 'performance.now', now: () => performance.now() };
let counterClock: RecordingClock | undefined;

/** `auto`: the counter when usable, else performance.now(); `portable`: always performance.now(). */
export function recordingClock(choice: 'auto' | 'portable'): RecordingClock {
  if (choice === 'portable') return performanceClock;
  if (counterClock === undefined) {
    const tsc = tscAddon();
    if (tsc === undefined || !counterInvariant()) return performanceClock;
    // One clock object per thread: every event call site keeps seeing the same function.
    const slot = new Float64Array(new SharedArrayBuffer(8));
    const stamp = tsc.stamper(slot);
    counterClock = {
      source: 'tsc',
      now: () => {
        stamp();
        return slot[0]!;
      },
    };
  }
  return counterClock;
}

/** The first slope is measured over this long (the worker waits it out before its first block). */
export const CALIBRATION_MS = 10;
const CALIBRATION_NS = CALIBRATION_MS * 1e6;
/** Checks against hrtime come at doubling intervals from CALIBRATION_NS up to this. */
const MAX_REFINE_NS = 1_000_000_000;
/** An error found at a check is absorbed over this many intervals, by a slope change of at most MAX_STEER. */
const CORRECTION_INTERVALS = 2;
const MAX_STEER = 5e-4;
/** Segments kept: older readings use the oldest, extrapolated (about a minute at one a second). */
const SEGMENTS = 64;

/**
 * Counts to ticks, on the worker: a continuous, increasing, piecewise-linear map. Each segment
 * starts where the previous one ends (so a reading's ticks never depend on when it is encoded, and
 * order is kept); its slope is the counter's rate over the previous interval, steered so that the
 * error measured against hrtime at its start is paid back over the next few intervals.
 */
export class TscTimebase implements Timebase {
  private readonly start: number[] = [];
  private readonly base: number[] = [];
  private readonly slope: number[] = [];
  private readonly first: Pair;
  /** The last hrtime check: the rate since then is the next segment's. */
  private last: Pair;
  private interval = CALIBRATION_NS;

  /** `first`: the recording thread's reading at init, so that the calibration spans from then. */
  constructor(
    private readonly tsc: Pick<TscAddon, 'now'>,
    private readonly originHrtime: bigint,
    first?: Pair,
    private readonly hrtime: () => bigint = process.hrtime.bigint,
  ) {
    this.first = first ?? this.sample();
    this.last = this.first;
  }

  private sample(): Pair {
    return bracketedReading(() => this.tsc.now(), this.originHrtime, this.hrtime);
  }

  private push(start: number, base: number, slope: number): void {
    this.start.push(start);
    this.base.push(base);
    this.slope.push(slope);
    if (this.start.length > SEGMENTS) {
      this.start.shift();
      this.base.shift();
      this.slope.shift();
    }
  }

  /** Call before mapping a batch of readings: calibrates once, then checks the map when due. */
  refine(): void {
    const last = this.start.length - 1;
    if (last < 0) {
      let p = this.sample();
      while (p.ns - this.first.ns < CALIBRATION_NS) p = this.sample();
      this.push(this.first.count, this.first.ns, (p.ns - this.first.ns) / (p.count - this.first.count));
      this.last = p;
      return;
    }
    if ((this.tsc.now() - this.start[last]!) * this.slope[last]! < this.interval) return;
    const p = this.sample();
    const predicted = this.base[last]! + (p.count - this.start[last]!) * this.slope[last]!;
    // The rate since the previous check follows a drifting counter; the steer pays back the error.
    const rate = (p.ns - this.last.ns) / (p.count - this.last.count);
    const steer = Math.max(-MAX_STEER, Math.min(MAX_STEER, (p.ns - predicted) / (CORRECTION_INTERVALS * this.interval)));
    this.push(p.count, predicted, rate * (1 + steer));
    this.last = p;
    this.interval = Math.min(MAX_REFINE_NS, 2 * this.interval);
  }

  ticks(count: number): number {
    let k = this.start.length - 1;
    while (k > 0 && count < this.start[k]!) k--;
    return Math.round(this.base[k]! + (count - this.start[k]!) * this.slope[k]!);
  }
}
