/**
 * A long fleet run, interval by interval: whether the cost per tick grows as partitions and expired
 * files accumulate (backend cores at a constant offered load), RSS, partition files written, and the
 * dashboard's latency and freshness in each interval.
 */
import type { Backend } from './fleet-backend.js';
import type { DashboardReport } from './fleet-dashboard.js';
import { cpuTotal } from './proc-stats.js';

const MB = 1024 * 1024;

interface Mark {
  at: number;
  cpu: number;
  files: number;
  queries: number;
  fresh: number;
}

const median = (values: number[]) => {
  if (values.length === 0) return '—';
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!.toFixed(0);
};

export function startTimeline(backend: Backend, periodMs: number, files: () => Promise<number>, board: Readonly<DashboardReport> | undefined) {
  const rows: Record<string, string | number>[] = [];
  let last: Mark | undefined;
  let started = 0;
  const mark = async (): Promise<Mark> => ({
    at: performance.now(), cpu: cpuTotal(await backend.cpuSeconds()), files: await files(),
    queries: board?.queryMs.length ?? 0, fresh: board?.freshnessMs.length ?? 0,
  });
  const sample = async () => {
    const now = await mark();
    if (last !== undefined) {
      const seconds = (now.at - last.at) / 1000;
      rows.push({
        'minute': ((now.at - started) / 60_000).toFixed(1),
        'backend cores': ((now.cpu - last.cpu) / seconds).toFixed(2),
        'RSS MB': ((await backend.rssBytes()) / MB).toFixed(0),
        'partition files/s': ((now.files - last.files) / seconds).toFixed(1),
        'query p50 ms': median(board?.queryMs.slice(last.queries, now.queries) ?? []),
        'fresh p50 ms': median(board?.freshnessMs.slice(last.fresh, now.fresh) ?? []),
      });
    }
    last = now;
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      started = performance.now();
      await sample();
      timer = setInterval(() => void sample(), periodMs);
    },
    stop() {
      clearInterval(timer);
      return rows;
    },
  };
}
