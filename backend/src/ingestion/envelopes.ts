/**
 * Turns request bodies into checked records: CBOR first (empty, truncated, garbage and trailing
 * bytes are refused with the decoder's reason), then every field of the envelope.
 */
import { decodeCbor as decodeWireCbor } from '@micromegas/wire';
import type { BlockRecord, ProcessRecord, StreamRecord } from '../lake/telemetry/records.js';
import { BadEnvelopeError } from './errors.js';
import { FieldReader, type ListLimit, type MapLimit, type TextLimit } from './fields.js';

/** The bounds of docs/wire-format.md ("Limits"): far above what an SDK sends, far below what hurts. */
export const LIMITS = {
  /** exe, username, realname, computer, distro, cpu_brand. */
  processText: { maxLength: 4096 } satisfies TextLimit,
  properties: { maxEntries: 1000, key: { maxLength: 1024 }, value: { maxLength: 65_536 } } satisfies MapLimit,
  tags: { maxEntries: 100, item: { maxLength: 256 } } satisfies ListLimit,
  /** dependencies_metadata, objects_metadata: small CBOR maps naming the payload layout. */
  streamMetadataBytes: 65_536,
};

function decodeCbor(envelope: string, body: Uint8Array | undefined, expected = 'a CBOR map'): unknown {
  if (body === undefined || body.byteLength === 0) throw new BadEnvelopeError(envelope, `empty body: expected ${expected}`);
  try {
    return decodeWireCbor(body);
  } catch (err) {
    throw new BadEnvelopeError(envelope, `${(err as Error).message}, ${body.byteLength} bytes received`);
  }
}

export function readProcess(body: Uint8Array | undefined): ProcessRecord {
  const f = new FieldReader('process', decodeCbor('process', body));
  const record: ProcessRecord = {
    process_id: f.id('process_id'),
    exe: f.string('exe', LIMITS.processText),
    username: f.string('username', LIMITS.processText),
    realname: f.string('realname', LIMITS.processText),
    computer: f.string('computer', LIMITS.processText),
    distro: f.string('distro', LIMITS.processText),
    cpu_brand: f.string('cpu_brand', LIMITS.processText),
    tsc_frequency: f.int64('tsc_frequency', 1n),
    start_time_ns: f.time('start_time'),
    start_ticks: f.int64('start_ticks'),
    parent_process_id: f.string('parent_process_id'),
    properties: f.properties('properties', LIMITS.properties),
  };
  if (record.parent_process_id !== '') f.id('parent_process_id'); // '' means no parent
  return record;
}

export function readStream(body: Uint8Array | undefined): StreamRecord {
  const f = new FieldReader('stream', decodeCbor('stream', body));
  return {
    stream_id: f.id('stream_id'),
    process_id: f.id('process_id'),
    dependencies_metadata: f.bytes('dependencies_metadata', LIMITS.streamMetadataBytes),
    objects_metadata: f.bytes('objects_metadata', LIMITS.streamMetadataBytes),
    tags: f.strings('tags', LIMITS.tags),
    properties: f.properties('properties', LIMITS.properties),
  };
}

export function readBlock(body: Uint8Array | undefined): BlockRecord {
  return checkBlock(decodeCbor('block', body));
}

/** The most blocks one insert_blocks request may carry (docs/wire-format.md). */
export const MAX_BATCH_BLOCKS = 64;

/**
 * An insert_blocks body: a CBOR array of 1 to MAX_BATCH_BLOCKS decoded envelopes, each still to be
 * checked with `checkBlock` (a bad one fails alone). Anything else refuses the whole request.
 */
export function readBlockBatch(body: Uint8Array | undefined): unknown[] {
  const value = decodeCbor('blocks', body, 'a CBOR array of block envelopes');
  if (!Array.isArray(value)) throw new BadEnvelopeError('blocks', 'must be an array of block envelopes');
  if (value.length === 0 || value.length > MAX_BATCH_BLOCKS) {
    throw new BadEnvelopeError('blocks', `must hold 1 to ${MAX_BATCH_BLOCKS} block envelopes, got ${value.length}`);
  }
  return value;
}

/** One decoded block envelope, every field checked. */
export function checkBlock(value: unknown): BlockRecord {
  const f = new FieldReader('block', value);
  const payload = f.map('payload');
  const block: BlockRecord = {
    block_id: f.id('block_id'),
    stream_id: f.id('stream_id'),
    process_id: f.id('process_id'),
    begin_time_ns: f.time('begin_time'),
    begin_ticks: f.int64('begin_ticks'),
    end_time_ns: f.time('end_time'),
    end_ticks: f.int64('end_ticks'),
    nb_objects: f.count('nb_objects'),
    object_offset: f.int64('object_offset', 0n),
    payload: { dependencies: payload.bytes('dependencies'), objects: payload.bytes('objects') },
  };
  // Queries find a block by its time span: one that ends before it begins would never be found.
  if (block.end_time_ns < block.begin_time_ns) f.refuse('end_time', 'is before begin_time');
  if (BigInt(block.end_ticks) < BigInt(block.begin_ticks)) f.refuse('end_ticks', 'is less than begin_ticks');
  return block;
}
