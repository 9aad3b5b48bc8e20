import type { Migration } from './migration.js';

/**
 * A counter of changes to telemetry already inserted: every statement that deletes blocks
 * (retention, tail sampling, by hand), rewrites what selects or slices them (ids, stream, process,
 * insert time, a stream's tags) or truncates them increments it, in its own transaction. Inserts do
 * not: they only add rows at the present insert time. The view sets remember what closed insert
 * seconds hold (views/source-memory.ts) and forget it when the counter moves.
 */
export const sourceChanges: Migration = {
  version: 6,
  name: 'source changes counter',
  statements: [
    'CREATE TABLE source_changes (changes bigint NOT NULL)',
    'INSERT INTO source_changes (changes) VALUES (0)',
    `CREATE FUNCTION count_source_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE source_changes SET changes = changes + 1;
        RETURN NULL;
      END $$`,
    `CREATE TRIGGER blocks_changed AFTER DELETE OR TRUNCATE OR UPDATE OF block_id, stream_id, process_id, insert_time ON blocks
      FOR EACH STATEMENT EXECUTE FUNCTION count_source_change()`,
    `CREATE TRIGGER streams_changed AFTER DELETE OR TRUNCATE OR UPDATE OF stream_id, process_id, tags ON streams
      FOR EACH STATEMENT EXECUTE FUNCTION count_source_change()`,
  ],
};
