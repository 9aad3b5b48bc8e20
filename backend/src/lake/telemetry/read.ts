/**
 * Lookups of recorded telemetry by id, for the query functions that need the lake itself rather than
 * a view: a process's threads (process_spans) and one block with its payload (parse_block).
 */
import type { BlockPayload } from '@micromegas/wire';
import type { SqlExecutor } from '../metadata/store.js';
import type { ObjectStore } from '../object-store/store.js';
import { readBlockPayload, type PayloadLocation } from './payload.js';
import type { Int64, Property } from './records.js';

export interface ThreadStreamRow {
  stream_id: string;
  properties: Property[];
}

/**
 * The process's `cpu` streams (one per thread), in stream id order, that have a block meeting
 * [begin, end) (either end open).
 */
export async function threadStreams(db: SqlExecutor, processId: string, begin?: Date, end?: Date): Promise<ThreadStreamRow[]> {
  return db.query<ThreadStreamRow & Record<string, unknown>>(
    `SELECT s.stream_id, s.properties FROM streams s
     WHERE s.process_id = $1 AND 'cpu' = ANY (s.tags)
       AND EXISTS (SELECT 1 FROM blocks b WHERE b.stream_id = s.stream_id
         AND ($2::timestamptz IS NULL OR b.end_time >= $2) AND ($3::timestamptz IS NULL OR b.begin_time < $3))
     ORDER BY s.stream_id`,
    [processId, begin ?? null, end ?? null]);
}

export interface BlockWithPayload {
  block_id: string;
  stream_id: string;
  process_id: string;
  object_offset: Int64;
  nb_objects: number;
  payload: BlockPayload;
}

/**
 * A block's row and payload, or undefined when no block has this id. Throws ObjectNotFoundError or
 * ObjectStoreError when its payload is missing or is not one of SDK events.
 */
export async function readBlock(db: SqlExecutor, objects: ObjectStore, blockId: string): Promise<BlockWithPayload | undefined> {
  const [row] = await db.query<Omit<BlockWithPayload, 'payload'> & PayloadLocation & Record<string, unknown>>(
    'SELECT block_id, stream_id, process_id, object_offset, nb_objects, payload_key, payload_offset, payload_size FROM blocks WHERE block_id = $1',
    [blockId]);
  if (row === undefined) return undefined;
  const { payload_key, payload_offset, payload_size, ...block } = row;
  return { ...block, payload: await readBlockPayload(objects, { ...block, payload_key, payload_offset, payload_size }) };
}
