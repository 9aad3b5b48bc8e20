/**
 * The insert_blocks request (docs/wire-format.md): its body is a CBOR array of block envelopes, made
 * from the queued items' bodies as they are (an array head, then the items back to back: no
 * re-encoding), and its answer lists one status per block.
 */
import { encodeCborArray } from '@micromegas/wire';
import type { Item } from './queue.js';

export const BATCH_PATH = '/ingestion/insert_blocks';
/** The backend takes at most this many blocks a request. */
export const MAX_BATCH_ITEMS = 64;

export function batchBody(items: readonly Item[]): Buffer {
  return encodeCborArray(items.map((item) => item.body));
}

/** The per-block statuses of a 200 answer to a batch of `count`, or undefined if it is not one. */
export function batchStatuses(answer: Buffer, count: number): number[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(answer.toString('utf8'));
  } catch {
    return undefined;
  }
  const results = (value as { results?: unknown } | null)?.results;
  if (!Array.isArray(results) || results.length !== count) return undefined;
  const statuses = results.map((result) => (result as { statusCode?: unknown } | null)?.statusCode);
  return statuses.every((status) => Number.isInteger(status)) ? statuses as number[] : undefined;
}
