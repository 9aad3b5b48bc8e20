/**
 * The slabs of one recording thread and who holds each, in shared memory: the recording thread
 * takes a free slab (FREE → RECORDING) and hands it over (→ QUEUED); the worker encodes it and
 * frees it (→ FREE), counting it in CTL_PROCESSED, which `flush()` waits on. Neither side ever
 * waits for the other on the hot path.
 *
 * The pool grows on demand up to MAX_SLABS. When no slab is free, the stream whose slab is full
 * drops its events (counted); spans give up first because each priority keeps a reserve of free
 * slabs for the ones above it.
 */
import { Slab, type SlabLayout } from './slab.js';

export const FREE = 0;
export const RECORDING = 1;
export const QUEUED = 2;

export const MAX_SLABS = 16;
/** Slabs at start: one per stream and as many spares. */
const INITIAL_SLABS = 6;

/** Index in `ctl` of the count of slabs the worker has processed. */
export const CTL_PROCESSED = 0;
/** Index in `ctl` of the state of slab 0. */
export const CTL_STATES = 1;

export function controlMemory(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * (CTL_STATES + MAX_SLABS));
}

export class SlabPool {
  readonly ctl: Int32Array;
  readonly slabs: Slab[] = [];

  constructor(
    readonly memory: SharedArrayBuffer,
    readonly layout: SlabLayout,
  ) {
    this.ctl = new Int32Array(memory);
    for (let i = 0; i < INITIAL_SLABS; i++) this.slabs.push(Slab.allocate(i, layout));
  }

  /**
   * A free slab, now RECORDING, if more than `reserve` are free or the pool can grow; `grown`
   * learns of a new slab before it is used.
   */
  acquire(reserve: number, grown: (slab: Slab) => void): Slab | undefined {
    let free = 0;
    let found: Slab | undefined;
    for (const slab of this.slabs) {
      if (Atomics.load(this.ctl, CTL_STATES + slab.index) !== FREE) continue;
      free++;
      found ??= slab;
    }
    if (found === undefined || free <= reserve) {
      if (this.slabs.length === MAX_SLABS) return undefined;
      found = Slab.allocate(this.slabs.length, this.layout);
      this.slabs.push(found);
      grown(found);
    }
    Atomics.store(this.ctl, CTL_STATES + found.index, RECORDING);
    return found;
  }

  queue(slab: Slab): void {
    Atomics.store(this.ctl, CTL_STATES + slab.index, QUEUED);
  }

  /** On the worker: the slab is encoded, the recording thread may reuse it. */
  static release(ctl: Int32Array, index: number): void {
    Atomics.store(ctl, CTL_STATES + index, FREE);
    Atomics.add(ctl, CTL_PROCESSED, 1);
    Atomics.notify(ctl, CTL_PROCESSED);
  }
}
