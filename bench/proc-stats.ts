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

/**
 * CPU seconds of a process and all it started: the live descendants' utime + stime, and the
 * children it has reaped (cutime + cstime), so a worker process that came and went still counts.
 */
export async function treeCpuSeconds(root: number): Promise<number> {
  const parents = new Map<number, number>();
  const fields = new Map<number, string[]>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = await statFields(pid);
    if (f === undefined) continue;
    parents.set(pid, Number(f[1]));
    fields.set(pid, f);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, f] of fields) {
    if (!inTree(pid)) continue;
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
