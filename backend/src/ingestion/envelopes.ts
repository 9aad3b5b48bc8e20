/**
 * Turns request bodies into checked records: CBOR first (empty, truncated, garbage and trailing
 * bytes are refused with the decoder's reason), then every field of the envelope.
 */
import { decodeCbor as decodeWireCbor } from '@micromegas/wire';
import type { BlockRecord, ProcessRecord, StreamRecord } from '../lake/telemetry/records.js';
import { BadEnvelopeError } from './errors.js';
import { FieldReader } from './fields.js';

function decodeCbor(envelope: string, body: Uint8Array | undefined): unknown {
  if (body === undefined || body.byteLength === 0) throw new BadEnvelopeError(envelope, 'empty body: expected a CBOR map');
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
    exe: f.string('exe'),
    username: f.string('username'),
    realname: f.string('realname'),
    computer: f.string('computer'),
    distro: f.string('distro'),
    cpu_brand: f.string('cpu_brand'),
    tsc_frequency: f.int64('tsc_frequency', 1n),
    start_time_ns: f.time('start_time'),
    start_ticks: f.int64('start_ticks'),
    parent_process_id: f.string('parent_process_id'),
    properties: f.properties('properties'),
  };
  if (record.parent_process_id !== '') f.id('parent_process_id'); // '' means no parent
  return record;
}

export function readStream(body: Uint8Array | undefined): StreamRecord {
  const f = new FieldReader('stream', decodeCbor('stream', body));
  return {
    stream_id: f.id('stream_id'),
    process_id: f.id('process_id'),
    dependencies_metadata: f.bytes('dependencies_metadata'),
    objects_metadata: f.bytes('objects_metadata'),
    tags: f.strings('tags'),
    properties: f.properties('properties'),
  };
}

export function readBlock(body: Uint8Array | undefined): BlockRecord {
  const f = new FieldReader('block', decodeCbor('block', body));
  const payload = f.map('payload');
  return {
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
}
