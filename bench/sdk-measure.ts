/** Helpers of the SDK bench: medians, and this thread's CPU clock. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tscAddon } from '@micromegas/tracing/tsc';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

export interface CpuClock {
  readonly name: string;
  /** True when `now` counts this thread only (other threads' work is then not in it). */
  readonly perThread: boolean;
  /** CPU time in ns. */
  now(): number;
  /** What two back-to-back reads differ by: subtracted from short measurements. */
  overhead: number;
}

function withOverhead(clock: Omit<CpuClock, 'overhead'>): CpuClock {
  const deltas: number[] = [];
  for (let i = 0; i < 101; i++) {
    const a = clock.now();
    deltas.push(clock.now() - a);
  }
  return { ...clock, overhead: median(deltas) };
}

/**
 * This thread's CPU time (CLOCK_THREAD_CPUTIME_ID, through the SDK's native part): robust to a
 * busy machine, unlike wall time, and blind to the SDK worker's thread. Without the native part,
 * the process's CPU time (all threads).
 */
export function cpuClock(): CpuClock {
  const tsc = tscAddon();
  if (tsc !== undefined && tsc.threadCpuNs() >= 0) return withOverhead({ name: 'thread CPU time', perThread: true, now: () => tsc.threadCpuNs() });
  return withOverhead({
    name: 'process CPU time (no native part: all threads)',
    perThread: false,
    now: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) * 1000;
    },
  });
}

/**
 * An ingestion stand-in in another process that reads and discards every body (204): the
 * recording phase sends far more than is worth decoding, and the bench's own thread must not
 * pay for the receiving side.
 */
export async function startDiscardServer(): Promise<{ url: string; stop: () => void }> {
  const script = `
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`discard server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stdin.end() };
}

/**
 * CPU time in ns of another thread of this process, by kernel id, from /proc (exact for a thread
 * that is asleep, as the SDK worker is once it has caught up); 0 when unknown.
 */
export function otherThreadCpuNs(tid: number | undefined): number {
  if (tid === undefined || tid < 0) return 0;
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
  } catch {
    return 0;
  }
}
