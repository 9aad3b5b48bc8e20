/**
 * The three CBOR envelopes a sink POSTs to ingestion, field for field as micromegas sends them.
 * Payload buffers stay opaque here: their byte layout is in docs/wire-format.md and ./payload.
 */

/** Free-form key/value pairs; stored as `[{key, value}]` lists in PostgreSQL and Arrow. */
export type Properties = Record<string, string>;

export interface ProcessInfo {
  process_id: string; // uuid v4
  exe: string;
  username: string;
  realname: string;
  computer: string;
  distro: string;
  cpu_brand: string;
  /** Ticks per second of the clock that produced every `*_ticks` field of this process. */
  tsc_frequency: number;
  /** RFC 3339 with nanoseconds, UTC: the wall-clock time at `start_ticks`. */
  start_time: string;
  start_ticks: number;
  /** Empty string when there is no parent. */
  parent_process_id: string;
  properties: Properties;
}

/** Describes a stream's record kinds; opaque to ingestion, stored as `bytea`. */
export type StreamTag = 'log' | 'metrics' | 'cpu';

export interface StreamInfo {
  stream_id: string;
  process_id: string;
  dependencies_metadata: Uint8Array;
  objects_metadata: Uint8Array;
  tags: string[];
  properties: Properties;
}

export interface BlockPayload {
  /** LZ4-compressed dependency records (interned strings). */
  dependencies: Uint8Array;
  /** LZ4-compressed event records. */
  objects: Uint8Array;
}

/** Ticks in an envelope: an int64, sent as a CBOR integer (bigint once beyond doubles' exact range). */
export type EnvelopeTicks = number | bigint;

/**
 * A tick (an integer double, as the SDK keeps them) as the envelope's CBOR integer: a number while
 * safe, else a bigint (a float64 there would be refused: after 104 days of uptime, SDK ticks pass 2^53).
 */
export function envelopeTicks(ticks: number): EnvelopeTicks {
  return Number.isSafeInteger(ticks) ? ticks : BigInt(ticks);
}

export interface Block {
  block_id: string;
  stream_id: string;
  process_id: string;
  /** RFC 3339 with nanoseconds, UTC. */
  begin_time: string;
  begin_ticks: EnvelopeTicks;
  end_time: string;
  end_ticks: EnvelopeTicks;
  payload: BlockPayload;
  /** Index of this block's first object within its stream. */
  object_offset: number;
  nb_objects: number;
}
