/**
 * parse_block(block_id), as micromegas shapes it: one row per object (event) of the block,
 * (object_index BIGINT, type_name VARCHAR, value JSON). The block is read from the lake by the
 * catalog and decoded here by the wire decoder the ETL uses (block-objects.ts); its rows reach DuckDB
 * as one JSON constant placed in a parsed query shape, so the engine still reads nothing but partition
 * files, and the block's text is never parsed as SQL.
 */
import { WireFormatError } from '@micromegas/wire';
import { ObjectNotFoundError, ObjectStoreError } from '../../lake/object-store/errors.js';
import { QueryError } from '../engine.js';
import type { SourceContext } from '../rewrite/context.js';
import { fillPlaceholders } from '../sql/parse-cache.js';
import type { Statement } from '../sql/parser.js';
import { readBlockObjects } from './block-objects.js';
import type { ArgValue } from './table-functions.js';

const OBJECTS = 'mm:objects';
const SHAPE = `SELECT CAST(r.object_index AS BIGINT) AS object_index, CAST(r.type_name AS VARCHAR) AS type_name, CAST(r.value AS JSON) AS value
  FROM (SELECT unnest(CAST(CAST('${OBJECTS}' AS JSON) AS STRUCT(object_index BIGINT, type_name VARCHAR, value JSON)[])) AS r)`;

/**
 * The most JSON one block may decode to: far above what an SDK block gives (4096 events by default,
 * about 1 MB), it bounds what a hostile block costs the server.
 */
export const MAX_BLOCK_JSON_CHARS = 64 * 1024 * 1024;

export async function parseBlock([blockArg]: ArgValue[], context: SourceContext): Promise<Statement> {
  const objects = context.planOnly ? '[]' : await objectsJson(String(blockArg), context);
  const statement = await context.parseCache.parse(context.connection, SHAPE);
  fillPlaceholders(statement, {}, { [OBJECTS]: objects });
  return statement;
}

/** The block's objects as the JSON array the query shape unnests. */
async function objectsJson(blockId: string, context: SourceContext): Promise<string> {
  const fail = (code: 'not_found' | 'invalid_argument', why: string, cause?: unknown) =>
    new QueryError(code, `parse_block: block '${blockId}' ${why}`, undefined, { cause });
  let block;
  try {
    block = await context.catalog.readBlock(blockId);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw fail('not_found', 'has no payload in the object store (deleted?)', error);
    if (error instanceof ObjectStoreError) throw fail('invalid_argument', 'holds no SDK events: parse_block decodes blocks of the micromegas-ts wire format', error);
    throw error;
  }
  if (block === undefined) throw fail('not_found', 'does not exist (block ids are in the blocks view)');
  const rows: string[] = [];
  let chars = 0;
  let index = Number(block.object_offset);
  try {
    readBlockObjects(block.payload, ({ type_name, value }) => {
      const row = JSON.stringify({ object_index: index++, type_name, value });
      chars += row.length + 1;
      if (chars > MAX_BLOCK_JSON_CHARS) throw fail('invalid_argument', `decodes to more than ${MAX_BLOCK_JSON_CHARS / 1024 / 1024} MiB of JSON`);
      rows.push(row);
    }, { block_id: block.block_id, stream_id: block.stream_id, process_id: block.process_id });
  } catch (error) {
    if (error instanceof WireFormatError) throw fail('invalid_argument', `does not decode: ${error.message}`, error);
    throw error;
  }
  return `[${rows.join(',')}]`;
}
