/**
 * Where and how a block's payload is kept in the object store.
 *
 * Key: `blobs/{process_id}/{stream_id}/{block_id}`.
 * Layout: the CBOR encoding of a two-entry map `{dependencies: bytes, objects: bytes}`, the same shape
 * as the `payload` field of the block envelope; both byte strings are stored exactly as received
 * (LZ4-compressed event records, see docs/wire-format.md). `blocks.payload_size` is this object's size.
 * Blocks ingested over OTLP keep an OTLP request instead (../otlp/payload.ts).
 */
import { decodeCbor, encodeCbor, type BlockPayload } from '@micromegas/wire';
import type { ObjectStore } from '../object-store/store.js';
import { ObjectStoreError } from '../object-store/errors.js';
import { otlpSignalOf, type OtlpPayload } from '../otlp/payload.js';

export function blockPayloadKey(block: { process_id: string; stream_id: string; block_id: string }): string {
  return `blobs/${block.process_id}/${block.stream_id}/${block.block_id}`;
}

export function encodeBlockPayload(payload: BlockPayload): Uint8Array {
  return encodeCbor({ dependencies: payload.dependencies, objects: payload.objects });
}

/** What a block's object holds: the SDK's event sections, or an OTLP request (see ../otlp/payload.ts). */
export type StoredPayload = { kind: 'wire'; payload: BlockPayload } | ({ kind: 'otlp' } & OtlpPayload);

/** Reads a block's payload back (for ETL). Throws ObjectNotFoundError, or ObjectStoreError if it is not a payload. */
export async function readStoredPayload(
  objects: ObjectStore,
  block: { process_id: string; stream_id: string; block_id: string },
): Promise<StoredPayload> {
  const key = blockPayloadKey(block);
  const body = await objects.get(key);
  let value: unknown;
  try {
    value = decodeCbor(body);
  } catch (err) {
    throw new ObjectStoreError(objects.uri, key, 'not a CBOR block payload', { cause: err });
  }
  const { dependencies, objects: events, format, data } = (value ?? {}) as Partial<BlockPayload> & { format?: unknown; data?: unknown };
  const signal = otlpSignalOf(format);
  if (signal !== undefined && data instanceof Uint8Array) return { kind: 'otlp', signal, data };
  if (!(dependencies instanceof Uint8Array) || !(events instanceof Uint8Array)) {
    throw new ObjectStoreError(objects.uri, key, 'block payload lacks dependencies/objects byte strings (or an OTLP format and data)');
  }
  return { kind: 'wire', payload: { dependencies, objects: events } };
}

/** Reads an SDK block's payload back. Throws ObjectNotFoundError, or ObjectStoreError if it is not one. */
export async function readBlockPayload(
  objects: ObjectStore,
  block: { process_id: string; stream_id: string; block_id: string },
): Promise<BlockPayload> {
  const stored = await readStoredPayload(objects, block);
  if (stored.kind !== 'wire') throw new ObjectStoreError(objects.uri, blockPayloadKey(block), `holds an OTLP payload (${stored.signal}), not SDK events`);
  return stored.payload;
}
