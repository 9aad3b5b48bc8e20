/**
 * Where and how a block's payload is kept in the object store.
 *
 * Layout: the CBOR encoding of a two-entry map `{dependencies: bytes, objects: bytes}`, the same shape
 * as the `payload` field of the block envelope; both byte strings are stored exactly as received
 * (LZ4-compressed event records, see docs/wire-format.md). Blocks ingested over OTLP keep an OTLP
 * request instead (../otlp/payload.ts). `blocks.payload_size` is the encoding's size.
 *
 * Where: ingestion packs the payloads of the blocks it accepts at about the same time into one
 * object, `packs/YYYY/MM/DD/HH/{uuid}` (UTC hour of writing), payloads back to back; the block row
 * names the pack (`payload_key`) and where its bytes start (`payload_offset`). A row without
 * `payload_key` (lakes written before packs) has its payload as an object of its own,
 * `blobs/{process_id}/{stream_id}/{block_id}`. A pack may also hold bytes no row refers to (the
 * resent copy of a block already recorded); it is deleted once no row refers to it (./packs.ts).
 */
import { randomUUID } from 'node:crypto';
import { decodeCbor, encodeCbor, type BlockPayload } from '@micromegas/wire';
import type { ObjectStore } from '../object-store/store.js';
import { ObjectStoreError } from '../object-store/errors.js';
import { otlpSignalOf, type OtlpPayload } from '../otlp/payload.js';
import type { Int64 } from './records.js';

export interface BlockIds {
  process_id: string;
  stream_id: string;
  block_id: string;
}

/** A block row's payload columns; absent or null `payload_key`: an object of its own. */
export interface PayloadLocation extends BlockIds {
  payload_key?: string | null;
  payload_offset?: Int64 | null;
  payload_size?: Int64;
}

/** The key of a block's own payload object (blocks recorded before packs). */
export function blockPayloadKey(block: BlockIds): string {
  return `blobs/${block.process_id}/${block.stream_id}/${block.block_id}`;
}

/** A new pack's key, under the UTC hour of `now`. */
export function newPackKey(now: Date): string {
  const hour = now.toISOString().slice(0, 13).replace(/[-T]/g, '/');
  return `packs/${hour}/${randomUUID()}`;
}

/** The object holding a block's payload: its pack, or its own. */
export function payloadObjectKey(block: PayloadLocation): string {
  return block.payload_key ?? blockPayloadKey(block);
}

/** The bytes of a packed payload within its pack, or undefined for a payload that is its own object. */
export function packedRange(block: PayloadLocation): { key: string; offset: number; length: number } | undefined {
  const { payload_key: key, payload_offset: offset, payload_size: size } = block;
  if (key === undefined || key === null) return undefined;
  if (offset === undefined || offset === null || size === undefined) {
    throw new TypeError(`block ${block.block_id}: packed in ${key} but its payload_offset/payload_size were not read`);
  }
  return { key, offset: Number(offset), length: Number(size) };
}

export function encodeBlockPayload(payload: BlockPayload): Uint8Array {
  return encodeCbor({ dependencies: payload.dependencies, objects: payload.objects });
}

/** A stored object that is not a block payload: the block is corrupt, not the store. */
export class CorruptPayloadError extends ObjectStoreError {
  override name = 'CorruptPayloadError';
}

/** What a block's object holds: the SDK's event sections, or an OTLP request (see ../otlp/payload.ts). */
export type StoredPayload = { kind: 'wire'; payload: BlockPayload } | ({ kind: 'otlp' } & OtlpPayload);

/** A block's stored bytes (its range of a pack, or its own object). Throws ObjectNotFoundError or ObjectStoreError. */
export function readPayloadBytes(objects: ObjectStore, block: PayloadLocation): Promise<Uint8Array> {
  const range = packedRange(block);
  return range === undefined ? objects.get(blockPayloadKey(block)) : objects.getRange(range.key, range.offset, range.length);
}

/** Decodes a block's stored bytes; `where` names them in errors. Throws CorruptPayloadError. */
export function decodeStoredPayload(uri: string, where: string, body: Uint8Array): StoredPayload {
  let value: unknown;
  try {
    value = decodeCbor(body);
  } catch (err) {
    throw new CorruptPayloadError(uri, where, `not a CBOR block payload: ${(err as Error).message}`, { cause: err });
  }
  const { dependencies, objects: events, format, data } = (value ?? {}) as Partial<BlockPayload> & { format?: unknown; data?: unknown };
  const signal = otlpSignalOf(format);
  if (signal !== undefined && data instanceof Uint8Array) return { kind: 'otlp', signal, data };
  if (!(dependencies instanceof Uint8Array) || !(events instanceof Uint8Array)) {
    throw new CorruptPayloadError(uri, where, 'block payload lacks dependencies/objects byte strings (or an OTLP format and data)');
  }
  return { kind: 'wire', payload: { dependencies, objects: events } };
}

/** Where a block's payload is, for messages. */
export function payloadWhere(block: PayloadLocation): string {
  const range = packedRange(block);
  return range === undefined ? blockPayloadKey(block) : `${range.key}@${range.offset}+${range.length} (block ${block.block_id})`;
}

/**
 * Reads a block's payload back (for ETL). Throws ObjectNotFoundError, CorruptPayloadError if it is
 * not a payload, or ObjectStoreError.
 */
export async function readStoredPayload(objects: ObjectStore, block: PayloadLocation): Promise<StoredPayload> {
  return decodeStoredPayload(objects.uri, payloadWhere(block), await readPayloadBytes(objects, block));
}

/** Reads an SDK block's payload back. Throws ObjectNotFoundError, or ObjectStoreError if it is not one. */
export async function readBlockPayload(objects: ObjectStore, block: PayloadLocation): Promise<BlockPayload> {
  const stored = await readStoredPayload(objects, block);
  if (stored.kind !== 'wire') throw new ObjectStoreError(objects.uri, payloadWhere(block), `holds an OTLP payload (${stored.signal}), not SDK events`);
  return stored.payload;
}
