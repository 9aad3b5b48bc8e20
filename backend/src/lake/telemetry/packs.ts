/**
 * Writing a pack: the stored payloads of several blocks as one object, back to back (./payload.ts).
 * Before the object is written its key is listed in `lakehouse_expired_files`, due
 * PACK_CLAIM_SECONDS later: should the writer die before a block row refers to the pack, the sweep
 * deletes it then; a pack that rows refer to is left alone and taken off the list by the sweep
 * (../../views/expired-files.ts), and retention lists it again when its last row goes
 * (../../maintenance/retention/doomed-blocks.ts).
 */
import type { SqlExecutor } from '../metadata/store.js';
import type { ObjectStore } from '../object-store/store.js';
import { newPackKey } from './payload.js';

/** Far longer than a pack's rows take to follow it (milliseconds), so the sweep finds them there. */
export const PACK_CLAIM_SECONDS = 3600;

/** Where one payload of a pack is. */
export interface PackedPayload {
  key: string;
  offset: number;
}

/** Writes `payloads` as one new pack (atomically: all or nothing) and returns where each is. */
export async function writePack(db: SqlExecutor, objects: ObjectStore, payloads: readonly Uint8Array[], now = new Date()): Promise<PackedPayload[]> {
  const key = newPackKey(now);
  await db.query(
    'INSERT INTO lakehouse_expired_files (file_path, expiration) VALUES ($1, now() + make_interval(secs => $2))',
    [key, PACK_CLAIM_SECONDS]);
  await objects.put(key, Buffer.concat(payloads));
  let offset = 0;
  return payloads.map((payload) => {
    const at = { key, offset };
    offset += payload.byteLength;
    return at;
  });
}
