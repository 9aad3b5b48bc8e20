/**
 * Records ingested telemetry: one row per process, stream and block, each write idempotent so that
 * a sink may resend anything it is unsure was delivered.
 */
import type { SqlExecutor, SqlValue } from '../metadata/store.js';
import type { ObjectStore } from '../object-store/store.js';
import type { BlockRecord, Int64, ProcessRecord, StreamRecord } from './records.js';
import { encodeBlockPayload, readPayloadBytes } from './payload.js';
import { writePack, type PackedPayload } from './packs.js';
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

/**
 * A block id that was already recorded with other content: a block id names one block, so this is
 * a client bug, never a resend; what was recorded first stays.
 */
export class BlockConflictError extends Error {
  override name = 'BlockConflictError';
  constructor(readonly blockId: string, readonly differences: readonly string[]) {
    super(`block ${blockId} was already recorded with a different ${differences.join(', ')}: `
      + 'a resend must be identical; new content needs a new block_id');
  }
}

export interface StoredBlock {
  block: Omit<BlockRecord, 'payload'>;
  /** The stored payload (its encoding), compared byte for byte when the block id was recorded already. */
  payload: Uint8Array;
  /** Where it is: a range of a pack, or null for an object of its own (blockPayloadKey, lakes before packs). */
  pack: PackedPayload | null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * The block row INSERT: one array parameter a column, unnested into rows, so that the statement's
 * text (and what PostgreSQL parses) is the same for any number of rows, and the driver serializes
 * 14 parameters instead of 14 a row. unnest yields the rows in array order.
 */
const INSERT_BLOCK_ROWS = `INSERT INTO blocks (block_id, stream_id, process_id, begin_time, begin_time_ns, begin_ticks,
    end_time, end_time_ns, end_ticks, nb_objects, object_offset, payload_size, payload_key, payload_offset)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int8[], $6::int8[],
    $7::timestamptz[], $8::int8[], $9::int8[], $10::int4[], $11::int8[], $12::int8[], $13::text[], $14::int8[])
  ON CONFLICT (block_id) DO NOTHING RETURNING block_id`;

/** The parameters of INSERT_BLOCK_ROWS: `rows`, column by column. */
function blockColumns(rows: readonly StoredBlock[]): SqlValue[][] {
  const columns: SqlValue[][] = Array.from({ length: 14 }, () => new Array<SqlValue>(rows.length));
  rows.forEach(({ block: b, payload, pack }, i) => {
    columns[0]![i] = b.block_id;
    columns[1]![i] = b.stream_id;
    columns[2]![i] = b.process_id;
    columns[3]![i] = nsToTimestamptz(b.begin_time_ns);
    columns[4]![i] = b.begin_time_ns;
    columns[5]![i] = b.begin_ticks;
    columns[6]![i] = nsToTimestamptz(b.end_time_ns);
    columns[7]![i] = b.end_time_ns;
    columns[8]![i] = b.end_ticks;
    columns[9]![i] = b.nb_objects;
    columns[10]![i] = b.object_offset;
    columns[11]![i] = payload.byteLength;
    columns[12]![i] = pack?.key ?? null;
    columns[13]![i] = pack?.offset ?? null;
  });
  return columns;
}

/**
 * Makes blocks whose payloads are stored visible, in one statement; rows already present are kept.
 * Returns, for each row, whether it was inserted: false when its block_id was already recorded
 * (by an earlier request, or earlier in `rows`), which `confirmResend` then checks.
 * Throws UnknownStreamError when a stream row is missing (for a batch: the first block's, as
 * PostgreSQL does not say which row failed; retry rows one by one to find it).
 */
export async function insertBlockRows(db: SqlExecutor, rows: readonly StoredBlock[]): Promise<boolean[]> {
  let inserted: Set<string>;
  try {
    const returned = await db.query<{ block_id: string }>(INSERT_BLOCK_ROWS, blockColumns(rows));
    inserted = new Set(returned.map((r) => r.block_id));
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new UnknownStreamError(rows[0]!.block.stream_id, rows[0]!.block.block_id);
    throw err;
  }
  // An id twice in one statement is inserted once: the first occurrence is the one that was.
  return rows.map(({ block }) => inserted.delete(block.block_id));
}

interface RecordedBlock extends Record<string, unknown> {
  stream_id: string;
  process_id: string;
  begin_time_ns: Int64;
  begin_ticks: Int64;
  end_time_ns: Int64;
  end_ticks: Int64;
  nb_objects: number;
  object_offset: Int64;
  payload_size: Int64;
  payload_key: string | null;
  payload_offset: Int64 | null;
}

function differences(row: RecordedBlock, { block: b, payload }: StoredBlock): string[] {
  const text = { stream_id: b.stream_id, process_id: b.process_id };
  const numbers = {
    begin_time: [row.begin_time_ns, b.begin_time_ns], begin_ticks: [row.begin_ticks, b.begin_ticks],
    end_time: [row.end_time_ns, b.end_time_ns], end_ticks: [row.end_ticks, b.end_ticks],
    nb_objects: [row.nb_objects, b.nb_objects], object_offset: [row.object_offset, b.object_offset],
    payload: [row.payload_size, payload.byteLength],
  } satisfies Record<string, [Int64, Int64]>;
  return [
    ...Object.entries(text).filter(([field, value]) => row[field] !== value).map(([field]) => field),
    ...Object.entries(numbers).filter(([, [recorded, sent]]) => BigInt(recorded) !== BigInt(sent)).map(([field]) => field),
  ];
}

/**
 * For a block whose row was already there: returns if that row is this very block (a resend: same
 * fields and the same payload bytes, read back from where they were stored), else throws
 * BlockConflictError naming what differs. The copy this request stored stays as bytes no row refers to.
 */
export async function confirmResend(db: SqlExecutor, objects: ObjectStore, stored: StoredBlock): Promise<void> {
  const blockId = stored.block.block_id;
  const [row] = await db.query<RecordedBlock>(
    `SELECT stream_id, process_id, begin_time_ns, begin_ticks, end_time_ns, end_ticks, nb_objects, object_offset, payload_size,
       payload_key, payload_offset
     FROM blocks WHERE block_id = $1`, [blockId]);
  // Gone since (retention): nothing to conflict with any more, so record it.
  if (row === undefined) {
    const [inserted] = await insertBlockRows(db, [stored]);
    if (inserted) return;
    return confirmResend(db, objects, stored);
  }
  const differing = differences(row, stored);
  // Same size and fields: the bytes decide (read back from the pack, or the object, they were stored in).
  if (differing.length === 0) {
    const recorded = await readPayloadBytes(objects, { ...row, block_id: blockId });
    if (!sameBytes(recorded, stored.payload)) differing.push('payload');
  }
  if (differing.length > 0) throw new BlockConflictError(blockId, differing);
}

/**
 * Stores the payload as a pack of its own, then the row that makes it visible: a failure between the
 * two leaves a pack no row refers to, which the expired-file sweep deletes (./packs.ts). Throws
 * UnknownStreamError when the stream row is missing (check first to store nothing for an unknown
 * stream), BlockConflictError when the block id was recorded with other content. Ingestion packs
 * the blocks that arrive together instead (../../ingestion/block-writer.ts).
 */
export async function insertBlock(db: SqlExecutor, objects: ObjectStore, block: BlockRecord): Promise<void> {
  const payload = encodeBlockPayload(block.payload);
  const [pack] = await writePack(db, objects, [payload]);
  const stored: StoredBlock = { block, payload, pack: pack! };
  const [inserted] = await insertBlockRows(db, [stored]);
  if (!inserted) await confirmResend(db, objects, stored);
}
