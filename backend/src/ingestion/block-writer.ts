/**
 * How an ingestion service records blocks (CBOR and OTLP alike): the payloads of the blocks that
 * arrive while a pack is being written go together into the next pack, one object write for all of
 * them (../lake/telemetry/packs.ts), then their rows go in groups (./block-rows.ts). A block is
 * answered once its pack is durable and its row inserted; a failed pack write fails exactly the
 * blocks in it, and nothing of them is visible (no row refers to the pack).
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

export class BlockWriter {
  readonly #packs: GroupCommit<Uint8Array, PackedPayload>;
  readonly #rows: GroupCommit<StoredBlock, boolean>;

  constructor(metadata: MetadataStore, objects: ObjectStore) {
    this.#packs = new GroupCommit((payloads) => writePack(metadata, objects, payloads), {
      maxItems: MAX_PACK_BLOCKS, maxWeight: MAX_PACK_BYTES, weight: (payload) => payload.byteLength,
      // Writing a pack's blocks one by one after it failed would only fail again, slower.
      retrySingly: false,
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
