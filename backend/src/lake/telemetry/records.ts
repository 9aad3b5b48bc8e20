/**
 * What ingestion writes and ETL reads back: the wire envelopes, checked and normalized (times as
 * exact nanoseconds since the Unix epoch, properties as the {key, value} list the views expose).
 */
import type { BlockPayload, ProcessInfo } from '@micromegas/wire';

/** A signed 64-bit integer as it arrived: a number when safe, a bigint beyond. */
export type Int64 = number | bigint;

export interface Property {
  key: string;
  value: string;
}

/** The process envelope's text fields as they are; its numbers, time and properties normalized. */
export interface ProcessRecord extends Omit<ProcessInfo, 'tsc_frequency' | 'start_time' | 'start_ticks' | 'properties'> {
  tsc_frequency: Int64;
  start_time_ns: bigint;
  start_ticks: Int64;
  properties: Property[];
}

export interface StreamRecord {
  stream_id: string;
  process_id: string;
  dependencies_metadata: Uint8Array;
  objects_metadata: Uint8Array;
  tags: string[];
  properties: Property[];
}

export interface BlockRecord {
  block_id: string;
  stream_id: string;
  process_id: string;
  begin_time_ns: bigint;
  begin_ticks: Int64;
  end_time_ns: bigint;
  end_ticks: Int64;
  nb_objects: number;
  object_offset: Int64;
  payload: BlockPayload;
}

/** A `blocks` row as `SELECT * FROM blocks` returns it. */
export interface BlockRow {
  block_id: string;
  stream_id: string;
  process_id: string;
  begin_time: Date;
  begin_time_ns: bigint;
  begin_ticks: Int64;
  end_time: Date;
  end_time_ns: bigint;
  end_ticks: Int64;
  nb_objects: number;
  object_offset: Int64;
  payload_size: Int64;
  insert_time: Date;
  /** The pack holding the payload, or null for an object of its own (./payload.ts). */
  payload_key: string | null;
  payload_offset: Int64 | null;
}
