/**
 * The metadata rows ETL reads besides payloads: each block with what converting its ticks and
 * labelling its rows needs. Times that must stay exact are bigint nanoseconds / microseconds.
 */
import type { Int64 } from '../lake/telemetry/records.js';

export interface SourceProcess {
  process_id: string;
  exe: string;
  username: string;
  computer: string;
  start_time_ns: bigint;
  start_ticks: Int64;
  tsc_frequency: Int64;
  /** JSON text of the `[{key, value}]` list. */
  properties_json: string;
}

export interface SourceBlock {
  block_id: string;
  stream_id: string;
  process_id: string;
  begin_ticks: Int64;
  /** Index of the block's first event within its stream. */
  object_offset: Int64;
  nb_objects: number;
  /** Microseconds since the epoch (PostgreSQL's precision). */
  insert_time_us: bigint;
}
