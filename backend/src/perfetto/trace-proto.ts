/**
 * Perfetto's trace messages that we write (proto/perfetto/trace_subset.proto: Perfetto's names and
 * numbers), encoded by protobufjs. 64-bit fields (uuids, nanosecond timestamps: beyond a double)
 * take protobufjs' `{low, high}` form, which it writes as is (a decimal string is parsed per field).
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The subset ships beside dist/ (package "files"). */
export const PROTO_DIR = fileURLToPath(new URL('../../proto/perfetto/', import.meta.url));

const root = new protobuf.Root().loadSync(`${PROTO_DIR}trace_subset.proto`, { keepCase: true });
const Trace = root.lookupType('perfetto.protos.Trace');

export const SEQ_INCREMENTAL_STATE_CLEARED = 1;
export const SEQ_NEEDS_INCREMENTAL_STATE = 2;
export const TYPE_SLICE_BEGIN = 1;
export const TYPE_SLICE_END = 2;

/** A 64-bit unsigned value as protobufjs writes it without conversion: two 32-bit halves. */
export interface U64 {
  readonly low: number;
  readonly high: number;
}

const LOW_BITS = 0xffff_ffffn;

export function u64(value: bigint): U64 {
  return { low: Number(value & LOW_BITS) | 0, high: Number((value >> 32n) & LOW_BITS) | 0 };
}

export interface TrackDescriptor {
  uuid: U64;
  parent_uuid?: U64;
  name?: string;
  process?: { pid: number; process_name: string; start_timestamp_ns?: U64; process_labels?: string[] };
  thread?: { pid: number; tid: U64; thread_name: string };
}

export interface InternedData {
  event_categories?: { iid: number; name: string }[];
  event_names?: { iid: number; name: string }[];
  source_locations?: { iid: number; file_name: string; line_number: number }[];
}

export interface TrackEvent {
  type: number;
  track_uuid: U64;
  name_iid?: number;
  category_iids?: number[];
  source_location_iid?: number;
}

export interface TracePacket {
  timestamp?: U64;
  trusted_packet_sequence_id: number;
  sequence_flags?: number;
  first_packet_on_sequence?: boolean;
  interned_data?: InternedData;
  track_descriptor?: TrackDescriptor;
  track_event?: TrackEvent;
}

/**
 * Packets as a serialized `Trace`: each is field 1 (`repeated TracePacket packet`) of it, so the
 * encodings of consecutive batches concatenate into one valid trace file.
 */
export function encodeTrace(packets: readonly TracePacket[]): Uint8Array {
  return Trace.encode({ packet: packets }).finish();
}
