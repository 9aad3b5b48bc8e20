/**
 * Perfetto's ids for our processes, threads and tracks: stable (the same process exported twice
 * gets the same ids) and derived from our string ids, which Perfetto has no room for.
 */
import { createHash } from 'node:crypto';
import { u64, type U64 } from './trace-proto.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A track uuid: 64 bits of a hash of what the track stands for ('process:<id>', 'thread:<stream>', …). */
export function trackUuid(key: string): U64 {
  return u64(digest(key).readBigUInt64BE(0));
}

/** Largest synthetic pid: thread ids are pid + thread number, which must stay an int32. */
const SYNTHETIC_PID_RANGE = 2 ** 30;

/**
 * The process's pid: its own when it recorded one (the pino transport records pino's `pid`), else a
 * positive number derived from the process id.
 */
export function processPid(processId: string, recordedPid: string | undefined): number {
  const own = Number(recordedPid);
  if (recordedPid !== undefined && Number.isSafeInteger(own) && own > 0 && own < SYNTHETIC_PID_RANGE) return own;
  return 1 + (digest(`pid:${processId}`).readUInt32BE(0) % (SYNTHETIC_PID_RANGE - 1));
}

/**
 * A thread's tid: as on Linux, the main thread's (thread-id 0 in Node) is the pid and the others
 * follow it; a thread without a numeric thread-id gets one derived from its stream id.
 */
export function threadTid(pid: number, threadId: string | undefined, streamId: string): number {
  const n = Number(threadId);
  if (threadId !== undefined && threadId !== '' && Number.isSafeInteger(n) && n >= 0 && n < 2 ** 30) return pid + n;
  return 2 ** 30 + (digest(`tid:${streamId}`).readUInt32BE(0) % 2 ** 30);
}
