/**
 * Reads the payloads of one partition build's blocks, sharing reads between blocks packed together
 * (../lake/telemetry/payload.ts): the blocks of a pack whose byte ranges lie close together form a
 * run, read with one ranged request and sliced, instead of one request a block. A run's bytes are
 * kept until its last block is read, within a byte budget: past it, blocks read their own ranges
 * (a build over many packs in stream order would otherwise hold all of them at once).
 */
import type { ObjectStore } from '../lake/object-store/store.js';
import {
  decodeStoredPayload, packedRange, payloadWhere, readStoredPayload, type PayloadLocation, type StoredPayload,
} from '../lake/telemetry/payload.js';

/** Bytes between two blocks of a pack that are worth reading rather than making a second request. */
const MAX_GAP_BYTES = 256 * 1024;
/** Bytes of runs held at once. */
const MAX_HELD_BYTES = 64 * 1024 * 1024;

interface Run {
  key: string;
  offset: number;
  length: number;
  /** Blocks of the run not read yet. */
  remaining: number;
  bytes?: Promise<Uint8Array>;
}

export class PayloadFetcher {
  /** For each block, its run when it shares one with other blocks. */
  readonly #runs: (Run | undefined)[];
  #held = 0;

  constructor(private readonly objects: ObjectStore, private readonly blocks: readonly PayloadLocation[]) {
    this.#runs = runsOf(blocks);
  }

  /** Block `i`'s payload; each block is read once. */
  async read(i: number): Promise<StoredPayload> {
    const block = this.blocks[i]!;
    const run = this.#runs[i];
    if (run === undefined) return readStoredPayload(this.objects, block);
    if (run.bytes === undefined && this.#held + run.length <= MAX_HELD_BYTES) {
      run.bytes = this.objects.getRange(run.key, run.offset, run.length);
      this.#held += run.length;
    }
    const shared = run.bytes;
    if (--run.remaining === 0 && shared !== undefined) {
      run.bytes = undefined;
      this.#held -= run.length;
    }
    if (shared === undefined) return readStoredPayload(this.objects, block);
    const range = packedRange(block)!;
    const start = range.offset - run.offset;
    return decodeStoredPayload(this.objects.uri, payloadWhere(block), (await shared).subarray(start, start + range.length));
  }
}

/** Groups the packed blocks by pack, then into runs of ranges at most MAX_GAP_BYTES apart. */
function runsOf(blocks: readonly PayloadLocation[]): (Run | undefined)[] {
  const byPack = new Map<string, { index: number; offset: number; end: number }[]>();
  blocks.forEach((block, index) => {
    const range = packedRange(block);
    if (range === undefined) return;
    let ranges = byPack.get(range.key);
    if (ranges === undefined) byPack.set(range.key, ranges = []);
    ranges.push({ index, offset: range.offset, end: range.offset + range.length });
  });
  const runs: (Run | undefined)[] = blocks.map(() => undefined);
  for (const [key, ranges] of byPack) {
    ranges.sort((a, b) => a.offset - b.offset);
    let members: number[] = [];
    let run: Run | undefined;
    const close = () => {
      if (members.length > 1) for (const index of members) runs[index] = run;
      members = [];
    };
    for (const range of ranges) {
      if (run === undefined || range.offset > run.offset + run.length + MAX_GAP_BYTES) {
        close();
        run = { key, offset: range.offset, length: 0, remaining: 0 };
      }
      run.length = Math.max(run.length, range.end - run.offset);
      run.remaining++;
      members.push(range.index);
    }
    close();
  }
  return runs;
}
