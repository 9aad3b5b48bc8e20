/** What /proc (Linux) says a local process costs: CPU time and resident memory. */
import { readdir, readFile } from 'node:fs/promises';

/** Linux USER_HZ, the unit of /proc/<pid>/stat times. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (field 3, state, first); undefined once gone. */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in seconds; 0 once it is gone. */
export async function processCpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return fields === undefined ? 0 : (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** /proc/<pid>/stat fields of every live process, by pid. */
async function allStatFields(): Promise<Map<number, string[]>> {
  const fields = new Map<number, string[]>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = await statFields(pid);
    if (f !== undefined) fields.set(pid, f);
  }
  return fields;
}

const ticks = (f: string[], from: number, to: number) => f.slice(from, to + 1).reduce((n, v) => n + Number(v), 0);

/** The live processes under `root` (itself excluded), with their stat fields. */
function descendants(root: number, fields: Map<number, string[]>): [number, string[]][] {
  const parent = (pid: number) => Number(fields.get(pid)?.[1] ?? 0);
  const under = (pid: number): boolean => {
    for (let p = parent(pid); p > 1; p = parent(p)) if (p === root) return true;
    return false;
  };
  return [...fields].filter(([pid]) => under(pid));
}

/** The live threads of a process: id, name (comm) and utime + stime in seconds. */
async function threadCpu(pid: number): Promise<{ tid: number; comm: string; seconds: number }[]> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => []);
  const threads = await Promise.all(tids.map(async (name) => {
    const tid = Number(name);
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { tid, comm, seconds: ticks(f, 11, 12) / CLOCK_TICKS_PER_SECOND };
    } catch {
      return undefined; // the thread ended meanwhile
    }
  }));
  return threads.filter((t) => t !== undefined);
}

/**
 * Where a process tree's CPU seconds went, by category: 'main' (the thread whose id is the pid),
 * 'libuv pool' (threads named libuv-worker), other threads by name ('thread <comm>'), 'ended threads'
 * (the process's time not held by a live thread), 'child processes' (live descendants and reaped
 * children, so a worker process that came and went still counts).
 */
export async function treeCpuBreakdown(root: number, libuvPool: ReadonlySet<number> = new Set()): Promise<Map<string, number>> {
  const fields = await allStatFields();
  const own = fields.get(root);
  const out = new Map<string, number>();
  const add = (category: string, seconds: number) => out.set(category, (out.get(category) ?? 0) + seconds);
  if (own === undefined) return out;
  const threads = await threadCpu(root);
  for (const t of threads) add(t.tid === root ? 'main' : t.comm === 'libuv-worker' || libuvPool.has(t.tid) ? 'libuv pool' : `thread ${t.comm}`, t.seconds);
  const live = threads.reduce((n, t) => n + t.seconds, 0);
  // The process total read after its threads, so that it holds at least what they do.
  const total = await statFields(root);
  add('ended threads', Math.max(0, ticks(total ?? own, 11, 12) / CLOCK_TICKS_PER_SECOND - live));
  const children = descendants(root, fields).reduce((n, [, f]) => n + ticks(f, 11, 14), ticks(own, 13, 14));
  add('child processes', children / CLOCK_TICKS_PER_SECOND);
  return out;
}

/**
 * The libuv threadpool of an idle Node process whose threads have no names (Node < 22 names none):
 * the threads blocked on one condition variable in the executable's static data (libuv's pool waits
 * on a static one; V8's platform workers and DuckDB's threads wait on allocated ones, above the
 * [heap] start). A thread of the pool that is busy while this looks is missed.
 */
export async function libuvPoolThreads(pid: number): Promise<Set<number>> {
  const heap = /^([0-9a-f]+)-\S+ .*\[heap\]$/m.exec(await readFile(`/proc/${pid}/maps`, 'utf8'))?.[1];
  if (heap === undefined) return new Set();
  const byWord = new Map<bigint, number[]>();
  for (const name of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const tid = Number(name);
    // "202 <futex word> …": blocked in futex(2); a condition variable's two words share 16 bytes.
    const call = (await readFile(`/proc/${pid}/task/${tid}/syscall`, 'utf8').catch(() => '')).split(' ');
    if (tid === pid || call[0] !== '202') continue;
    const word = BigInt(call[1]!) & ~0xfn;
    if (word < BigInt(`0x${heap}`)) byWord.set(word, [...(byWord.get(word) ?? []), tid]);
  }
  return new Set([...byWord.values()].filter((tids) => tids.length > 1).flat());
}

export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU seconds by category between two readings (a thread that ended moves its time to another category). */
export function cpuSince(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...new Set([...before.keys(), ...after.keys()])].map((category) => [category, (after.get(category) ?? 0) - (before.get(category) ?? 0)]));
}

export function cpuTotal(cpu: ReadonlyMap<string, number>): number {
  return [...cpu.values()].reduce((a, b) => a + b, 0);
}
