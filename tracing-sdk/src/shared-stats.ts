/**
 * Delivery counters in shared memory: the worker publishes its queue's and sender's, the
 * recording thread adds the events it dropped itself, and `sinkStats()` reads them synchronously.
 */
import type { SenderStats } from './http-sender.js';

export const S_SENT = 0;
export const S_REJECTED = 1;
export const S_FAILURES = 2;
export const S_QUEUED_BYTES = 3;
export const S_QUEUED_ITEMS = 4;
export const S_DROPPED_BLOCKS = 5;
export const S_DROPPED_EVENTS = 6;
export const S_DROPPED_BYTES = 7;
export const S_LOST_EVENTS = 8;
/** Written by the recording thread only: slabs it emptied because none was free. */
export const S_RECORDER_DROPPED_BLOCKS = 9;
export const S_RECORDER_DROPPED_EVENTS = 10;
/** Events the recording thread could not hand over (the worker had died). */
export const S_RECORDER_LOST_EVENTS = 11;
/** The worker thread's kernel id, when the native part can tell it (its CPU time is in /proc). */
export const S_WORKER_TID = 12;
const SLOTS = 13;

export function statsMemory(): SharedArrayBuffer {
  return new SharedArrayBuffer(8 * SLOTS);
}

export interface SinkStats extends SenderStats {
  queuedBytes: number;
  queuedItems: number;
  droppedBlocks: number;
  droppedEvents: number;
  droppedBytes: number;
  /** Events lost before reaching the queue (a block that failed to encode, or a dead worker). */
  lostEvents: number;
}

export function readStats(s: Float64Array): SinkStats {
  return {
    sent: s[S_SENT]!,
    rejected: s[S_REJECTED]!,
    failures: s[S_FAILURES]!,
    queuedBytes: s[S_QUEUED_BYTES]!,
    queuedItems: s[S_QUEUED_ITEMS]!,
    droppedBlocks: s[S_DROPPED_BLOCKS]! + s[S_RECORDER_DROPPED_BLOCKS]!,
    droppedEvents: s[S_DROPPED_EVENTS]! + s[S_RECORDER_DROPPED_EVENTS]!,
    droppedBytes: s[S_DROPPED_BYTES]!,
    lostEvents: s[S_LOST_EVENTS]! + s[S_RECORDER_LOST_EVENTS]!,
  };
}
