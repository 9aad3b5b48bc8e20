/**
 * How an ingestion service records blocks (CBOR and OTLP alike): the payloads of the blocks that
 * arrive while a pack is being written go together into the next pack, one object write for all of
 * them (../lake/telemetry/packs.ts), at most one every PACK_MIN_INTERVAL_MS, then their rows go in
 * groups (./block-rows.ts). A block is answered once its pack is durable and its row inserted; a
 * failed pack write fails exactly the blocks in it, and nothing of them is visible (no row refers to
 * the pack).
 */
import type { MetadataStore } from '../lake/metadata/store.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { writePack, type PackedPayload } from '../lake/telemetry/packs.js';
import type { BlockRecord } from '../lake/telemetry/records.js';
import type { StoredBlock } from '../lake/telemetry/write.js';
import { GroupCommit } from './group-commit.js';
import { blockRowsCommit } from './block-rows.js';

/** A pack's cap: big enough to take a busy second's blocks in a few writes, small enough to read ranges of cheaply. */
const MAX_PACK_BYTES = 8 * 1024 * 1024;
const MAX_PACK_BLOCKS = 2000;
/**
 * A busy writer starts a pack no sooner than this after the previous one started (an idle one
 * writes at once). A pack costs about 1.5 ms of CPU whatever its size (its claim row, the file's
 * creation and sync, the rows' INSERT that follows it); written as soon as the previous one is
 * done, on a fast disk, packs come 80 a second at 3,000 blocks/s: this hold makes them at most 50,
 * for at most 20 ms more per block (measured: 0.17 → 0.14 ms CPU/block, ingest p50 unchanged).
 */
const PACK_MIN_INTERVAL_MS = 20;

export class BlockWriter {
  readonly #packs: GroupCommit<Uint8Array, PackedPayload>;
  readonly #rows: GroupCommit<StoredBlock, boolean>;

  constructor(metadata: MetadataStore, objects: ObjectStore) {
    this.#packs = new GroupCommit((payloads) => writePack(metadata, objects, payloads), {
      maxItems: MAX_PACK_BLOCKS, maxWeight: MAX_PACK_BYTES, weight: (payload) => payload.byteLength,
      // Writing a pack's blocks one by one after it failed would only fail again, slower.
      retrySingly: false,
      minIntervalMs: PACK_MIN_INTERVAL_MS,
    });
    this.#rows = blockRowsCommit(metadata);
  }

  /**
   * Stores `payload` (the block's encoded payload) in a pack, then the block's row. `inserted` is
   * false when the block id was recorded already: `confirmResend` says whether this is a resend.
   */
  async write(block: Omit<BlockRecord, 'payload'>, payload: Uint8Array): Promise<{ stored: StoredBlock; inserted: boolean }> {
    const pack = await this.#packs.write(payload);
    const stored: StoredBlock = { block, payload, pack };
    return { stored, inserted: await this.#rows.write(stored) };
  }
}
