/**
 * Records ingested telemetry: one row per process, stream and block, each write idempotent so that
 * a sink may resend anything it is unsure was delivered.
 */
import type { SqlExecutor, SqlValue } from '../metadata/store.js';
import type { ObjectStore } from '../object-store/store.js';
import type { BlockRecord, ProcessRecord, StreamRecord } from './records.js';
import { blockPayloadKey, encodeBlockPayload } from './payload.js';
import { nsToTimestamptz } from './time.js';

/** A stream names a process that was never recorded. */
export class UnknownProcessError extends Error {
  override name = 'UnknownProcessError';
  constructor(readonly processId: string, readonly streamId: string) {
    super(`stream ${streamId}: unknown process ${processId} (insert the process first)`);
  }
}

/** A block names a stream that was never recorded. */
export class UnknownStreamError extends Error {
  override name = 'UnknownStreamError';
  constructor(readonly streamId: string, readonly blockId: string) {
    super(`block ${blockId}: unknown stream ${streamId} (insert the stream first)`);
  }
}

const FOREIGN_KEY_VIOLATION = '23503';

function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === FOREIGN_KEY_VIOLATION;
}

/** Returns false when the process was already recorded (the first version is kept). */
export async function insertProcess(db: SqlExecutor, p: ProcessRecord): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO processes (process_id, exe, username, realname, computer, distro, cpu_brand, tsc_frequency,
       start_time, start_time_ns, start_ticks, parent_process_id, properties)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (process_id) DO NOTHING RETURNING 1`,
    [p.process_id, p.exe, p.username, p.realname, p.computer, p.distro, p.cpu_brand, p.tsc_frequency,
      nsToTimestamptz(p.start_time_ns), p.start_time_ns, p.start_ticks, p.parent_process_id, JSON.stringify(p.properties)]);
  return rows.length > 0;
}

/** Returns false when the stream was already recorded. Throws UnknownProcessError. */
export async function insertStream(db: SqlExecutor, s: StreamRecord): Promise<boolean> {
  try {
    const rows = await db.query(
      `INSERT INTO streams (stream_id, process_id, dependencies_metadata, objects_metadata, tags, properties)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (stream_id) DO NOTHING RETURNING 1`,
      [s.stream_id, s.process_id, s.dependencies_metadata, s.objects_metadata, s.tags, JSON.stringify(s.properties)]);
    return rows.length > 0;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new UnknownProcessError(s.process_id, s.stream_id);
    throw err;
  }
}

/** The process a stream belongs to, or undefined when the stream is unknown. */
export async function streamProcess(db: SqlExecutor, streamId: string): Promise<string | undefined> {
  const [row] = await db.query<{ process_id: string }>('SELECT process_id FROM streams WHERE stream_id = $1', [streamId]);
  return row?.process_id;
}

/** Whether the process was recorded. */
export async function processExists(db: SqlExecutor, processId: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM processes WHERE process_id = $1', [processId])).length > 0;
}

/** Writes a block's payload object (idempotent) and returns its size, for `insertBlockRows`. */
export async function storeBlockPayload(objects: ObjectStore, b: BlockRecord): Promise<number> {
  const payload = encodeBlockPayload(b.payload);
  await objects.putIfAbsent(blockPayloadKey(b), payload);
  return payload.byteLength;
}

export interface StoredBlock {
  block: Omit<BlockRecord, 'payload'>;
  payloadSize: number;
}

const BLOCK_COLUMNS = 12;

/**
 * Makes blocks whose payloads are stored visible, in one statement; rows already present are kept.
 * Throws UnknownStreamError when a stream row is missing (for a batch: the first block's, as
 * PostgreSQL does not say which row failed; retry rows one by one to find it).
 */
export async function insertBlockRows(db: SqlExecutor, rows: readonly StoredBlock[]): Promise<void> {
  const params: SqlValue[] = [];
  const tuples = rows.map(({ block: b, payloadSize }) => {
    const at = params.length;
    params.push(b.block_id, b.stream_id, b.process_id, nsToTimestamptz(b.begin_time_ns), b.begin_time_ns, b.begin_ticks,
      nsToTimestamptz(b.end_time_ns), b.end_time_ns, b.end_ticks, b.nb_objects, b.object_offset, payloadSize);
    return `(${Array.from({ length: BLOCK_COLUMNS }, (_, i) => `$${at + i + 1}`).join(', ')})`;
  });
  try {
    await db.query(
      `INSERT INTO blocks (block_id, stream_id, process_id, begin_time, begin_time_ns, begin_ticks,
         end_time, end_time_ns, end_ticks, nb_objects, object_offset, payload_size)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (block_id) DO NOTHING`,
      params);
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new UnknownStreamError(rows[0]!.block.stream_id, rows[0]!.block.block_id);
    throw err;
  }
}

/**
 * Stores the payload, then the row that makes it visible: a failure between the two leaves an
 * unreferenced object that a resend of the block reuses. Throws UnknownStreamError when the stream
 * row is missing (check first to store nothing for an unknown stream).
 */
export async function insertBlock(db: SqlExecutor, objects: ObjectStore, block: BlockRecord): Promise<void> {
  const payloadSize = await storeBlockPayload(objects, block);
  await insertBlockRows(db, [{ block, payloadSize }]);
}
