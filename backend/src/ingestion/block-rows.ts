/**
 * The block rows of an ingestion service (CBOR and OTLP alike), written in groups: one INSERT a
 * batch instead of one a block. A statement of one row costs PGlite about 0.75 ms of the main thread
 * and 0.1 ms a row in a batch of 16 or more; PostgreSQL pays a commit (a WAL flush) per statement.
 * A fleet sends blocks all the time, so while busy the writer holds a statement back until 25 ms
 * after the previous one began: the blocks arriving meanwhile go together. An idle writer writes at
 * once; a block waits at most 25 ms more to be visible.
 */
import type { SqlExecutor } from '../lake/metadata/store.js';
import { insertBlockRows, type StoredBlock } from '../lake/telemetry/write.js';
import { GroupCommit } from './group-commit.js';

/** Block rows per INSERT: well under PostgreSQL's 65535 parameters. */
const MAX_ROWS_PER_INSERT = 500;
const MIN_INTERVAL_MS = 25;

export function blockRowsCommit(metadata: SqlExecutor): GroupCommit<StoredBlock, boolean> {
  return new GroupCommit<StoredBlock, boolean>((rows) => insertBlockRows(metadata, rows), MAX_ROWS_PER_INSERT, MIN_INTERVAL_MS);
}
