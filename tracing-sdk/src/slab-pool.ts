/**
 * The slabs of one recording thread and who holds each, in shared memory: the recording thread
 * takes a free slab (FREE → RECORDING) and hands it over (→ QUEUED); the worker encodes it and
 * frees it (→ FREE), counting it in CTL_PROCESSED, which `flush()` waits on. Neither side ever
 * waits for the other on the hot path.
 *
 * The pool grows on demand up to POOL_BYTES (enough to absorb a burst while the worker starts or
 * falls behind). When no slab is free, the stream whose slab is full drops its events (counted);
 * spans give up first because each priority keeps a reserve of free slabs for the ones above it.
 */
import { Slab, type SlabLayout } from './slab.js';

export const FREE = 0;
export const RECORDING = 1;
export const QUEUED = 2;

/** Memory the slabs of a thread may take: 16 MiB, and at least MIN_SLABS slabs. */
const POOL_BYTES = 16 * 1024 * 1024;
const MIN_SLABS = 16;
/** Slabs at start: one per stream and as many spares. */
const INITIAL_SLABS = 6;

/** Index in `ctl` of the count of slabs the worker has processed. */
export const CTL_PROCESSED = 0;
/** Index in `ctl` of the count of FREE slabs. */
const CTL_FREE = 1;
/** Index in `ctl` of the state of slab 0. */
const CTL_STATES = 2;

export function maxSlabs(layout: SlabLayout): number {
  return Math.max(MIN_SLABS, Math.floor(POOL_BYTES / Slab.byteLength(layout)));
}

export function controlMemory(layout: SlabLayout): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * (CTL_STATES + maxSlabs(layout)));
}

export class SlabPool {
  readonly ctl: Int32Array;
  readonly slabs: Slab[] = [];
  private readonly max: number;
  /** Where the next search for a free slab starts: the worker frees them in about the order they came. */
  private cursor = 0;

  constructor(
    readonly memory: SharedArrayBuffer,
    readonly layout: SlabLayout,
  ) {
    this.ctl = new Int32Array(memory);
    this.max = this.ctl.length - CTL_STATES;
    for (let i = 0; i < INITIAL_SLABS; i++) this.slabs.push(Slab.allocate(i, layout));
    Atomics.store(this.ctl, CTL_FREE, INITIAL_SLABS);
  }

  /**
   * A free slab, now RECORDING, if more than `reserve` are free or the pool can grow; `grown`
   * learns of a new slab before it is used.
   */
  acquire(reserve: number, grown: (slab: Slab) => void): Slab | undefined {
    if (Atomics.load(this.ctl, CTL_FREE) > reserve) {
      const n = this.slabs.length;
      for (let k = 0; k < n; k++) {
        const slab = this.slabs[(this.cursor + k) % n]!;
        if (Atomics.load(this.ctl, CTL_STATES + slab.index) !== FREE) continue;
        this.cursor = (slab.index + 1) % n;
        Atomics.sub(this.ctl, CTL_FREE, 1);
        Atomics.store(this.ctl, CTL_STATES + slab.index, RECORDING);
        return slab;
      }
    }
    if (this.slabs.length === this.max) return undefined;
    const slab = Slab.allocate(this.slabs.length, this.layout);
    this.slabs.push(slab);
    grown(slab);
    Atomics.store(this.ctl, CTL_STATES + slab.index, RECORDING);
    return slab;
  }

  queue(slab: Slab): void {
    Atomics.store(this.ctl, CTL_STATES + slab.index, QUEUED);
  }

  /** On the worker: the slab is encoded, the recording thread may reuse it. */
  static release(ctl: Int32Array, index: number): void {
    Atomics.store(ctl, CTL_STATES + index, FREE);
    Atomics.add(ctl, CTL_FREE, 1);
    Atomics.add(ctl, CTL_PROCESSED, 1);
    Atomics.notify(ctl, CTL_PROCESSED);
  }
}
