import type { Migration } from './migration.js';

/**
 * Block payloads packed together: ingestion writes the payloads of the blocks it accepts at about
 * the same time as one object (a pack) and each block row says where its bytes are in it
 * (`payload_key`, `payload_offset`, `payload_size`). Rows without a key keep the layout of one
 * object per block (lake/telemetry/payload.ts). The index finds whether a pack is still referenced,
 * which retention and the expired-file sweep ask before deleting one.
 */
export const blockPacks: Migration = {
  version: 5,
  name: 'block packs',
  statements: [
    'ALTER TABLE blocks ADD COLUMN payload_key text, ADD COLUMN payload_offset bigint',
    'CREATE INDEX blocks_payload_key ON blocks (payload_key) WHERE payload_key IS NOT NULL',
  ],
};
