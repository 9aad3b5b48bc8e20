import type { Migration } from './migration.js';

/**
 * What ingestion records: processes, their streams, and the blocks of each stream (payloads live in
 * the object store). Columns follow the `processes`, `streams` and `blocks` view sets.
 *
 * Times: `timestamptz` keeps microseconds, so each wire time (RFC 3339, nanoseconds) is also kept
 * exactly as `*_ns` (bigint nanoseconds since the Unix epoch, good until 2262). Use the timestamptz
 * column to filter and index, the `_ns` column when nanoseconds matter (e.g. converting ticks).
 * `insert_time` is assigned by the database; ETL slices by it.
 * `properties` is a jsonb array of {key, value} strings, as the views expose it.
 */
export const telemetryTables: Migration = {
  version: 1,
  name: 'telemetry tables: processes, streams, blocks',
  statements: [
    `CREATE TABLE processes (
      process_id text PRIMARY KEY,
      exe text NOT NULL,
      username text NOT NULL,
      realname text NOT NULL,
      computer text NOT NULL,
      distro text NOT NULL,
      cpu_brand text NOT NULL,
      tsc_frequency bigint NOT NULL,
      start_time timestamptz NOT NULL,
      start_time_ns bigint NOT NULL,
      start_ticks bigint NOT NULL,
      insert_time timestamptz NOT NULL DEFAULT now(),
      parent_process_id text NOT NULL,
      properties jsonb NOT NULL
    )`,
    'CREATE INDEX processes_start_time ON processes (start_time)',
    'CREATE INDEX processes_insert_time ON processes (insert_time)',
    'CREATE INDEX processes_parent ON processes (parent_process_id)',
    `CREATE TABLE streams (
      stream_id text PRIMARY KEY,
      process_id text NOT NULL REFERENCES processes (process_id),
      dependencies_metadata bytea NOT NULL,
      objects_metadata bytea NOT NULL,
      tags text[] NOT NULL,
      properties jsonb NOT NULL,
      insert_time timestamptz NOT NULL DEFAULT now()
    )`,
    'CREATE INDEX streams_process ON streams (process_id)',
    'CREATE INDEX streams_insert_time ON streams (insert_time)',
    `CREATE TABLE blocks (
      block_id text PRIMARY KEY,
      stream_id text NOT NULL REFERENCES streams (stream_id),
      process_id text NOT NULL,
      begin_time timestamptz NOT NULL,
      begin_time_ns bigint NOT NULL,
      begin_ticks bigint NOT NULL,
      end_time timestamptz NOT NULL,
      end_time_ns bigint NOT NULL,
      end_ticks bigint NOT NULL,
      nb_objects integer NOT NULL,
      object_offset bigint NOT NULL,
      payload_size bigint NOT NULL,
      insert_time timestamptz NOT NULL DEFAULT now()
    )`,
    'CREATE INDEX blocks_stream_begin ON blocks (stream_id, begin_time)',
    'CREATE INDEX blocks_process_begin ON blocks (process_id, begin_time)',
    'CREATE INDEX blocks_end_time ON blocks (end_time)',
    'CREATE INDEX blocks_insert_time ON blocks (insert_time)',
  ],
};
