import type { Migration } from './migration.js';

/**
 * The lakehouse's index of materialized views: one row per Parquet partition of a view instance,
 * covering the source rows inserted in [begin_insert_time, end_insert_time).
 *
 * - `source_data_hash` identifies what the partition was built from (the blocks of its insert range,
 *   plus the state carried in from the previous partition where a view needs one), so a partition
 *   whose sources changed since is stale and gets rebuilt.
 * - `min_event_time`/`max_event_time` bound the event times inside (floored/ceiled to microseconds)
 *   so queries prune partitions by time without opening them.
 * - `file_path` is NULL for a partition whose sources held no rows of the view: recording it keeps
 *   the next query from rebuilding it.
 * - `carry` is what the next partition of the same instance starts from (thread_spans: the spans
 *   still open at the end of this one).
 * The primary key makes two concurrent builders of one partition commit one row, never two.
 * `lakehouse_expired_files` lists replaced files, deleted once no query can still be reading them.
 */
export const lakehousePartitions: Migration = {
  version: 2,
  name: 'lakehouse partitions',
  statements: [
    `CREATE TABLE lakehouse_partitions (
      view_set_name text NOT NULL,
      view_instance_id text NOT NULL,
      begin_insert_time timestamptz NOT NULL,
      end_insert_time timestamptz NOT NULL,
      min_event_time timestamptz NOT NULL,
      max_event_time timestamptz NOT NULL,
      updated timestamptz NOT NULL DEFAULT now(),
      file_path text,
      file_size bigint NOT NULL,
      file_schema_hash text NOT NULL,
      source_data_hash text NOT NULL,
      num_rows bigint NOT NULL,
      carry jsonb,
      PRIMARY KEY (view_set_name, view_instance_id, begin_insert_time),
      CHECK (end_insert_time > begin_insert_time)
    )`,
    'CREATE INDEX lakehouse_partitions_event_time ON lakehouse_partitions (view_set_name, view_instance_id, min_event_time, max_event_time)',
    `CREATE TABLE lakehouse_expired_files (
      file_path text PRIMARY KEY,
      expiration timestamptz NOT NULL
    )`,
    'CREATE INDEX lakehouse_expired_files_expiration ON lakehouse_expired_files (expiration)',
  ],
};
