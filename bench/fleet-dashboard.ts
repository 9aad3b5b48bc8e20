/**
 * What a dashboard asks every few seconds over FlightSQL, over the last 5 minutes: log counts by
 * level (log_stats), frame time per 10 s (from measures, and the same from measure_stats), the last
 * errors (log_entries); and freshness: now − the newest log line visible.
 */
import { FlightSQLClient } from '@micromegas/flightsql-client';

const RANGE_MS = 5 * 60_000;
const PANELS: readonly { name: string; sql: string }[] = [
  { name: 'levels (log_stats)', sql: 'SELECT level, sum(count) AS n FROM log_stats GROUP BY level ORDER BY level' },
  // Before the raw panel: it pays for bringing the newest measures partitions up to date.
  {
    name: 'frame time (measure_stats)',
    sql: `SELECT time_bucket(INTERVAL 10 second, time_bin) AS t, sum(sum) / sum(count) AS frame_ms, max(max) AS worst_ms
     FROM measure_stats WHERE name = 'frame_time' GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'frame time (measures)',
    sql: `SELECT time_bucket(INTERVAL 10 second, time) AS t, avg(value) AS frame_ms, max(value) AS worst_ms
     FROM measures WHERE name = 'frame_time' GROUP BY 1 ORDER BY 1`,
  },
  { name: 'errors (log_entries)', sql: 'SELECT time, process_id, target, msg FROM log_entries WHERE level <= 2 ORDER BY time DESC LIMIT 20' },
];
const NEWEST_LOG = 'SELECT max(time) AS newest FROM log_entries';

export interface DashboardReport {
  /** The panels' statements, all together. */
  queryMs: number[];
  /** Each statement's latencies by panel, the newest-log one included. */
  byPanel: Map<string, number[]>;
  freshnessMs: number[];
  errors: string[];
}

export function startDashboard(flightsqlPort: number, periodMs: number): { report: Readonly<DashboardReport>; stop(): Promise<DashboardReport> } {
  const client = new FlightSQLClient({ url: `grpc://127.0.0.1:${flightsqlPort}` });
  const report: DashboardReport = { queryMs: [], byPanel: new Map(), freshnessMs: [], errors: [] };
  const timed = async <T>(panel: string, run: () => Promise<T>): Promise<{ result: T; ms: number }> => {
    const started = performance.now();
    const result = await run();
    const ms = performance.now() - started;
    report.byPanel.set(panel, [...(report.byPanel.get(panel) ?? []), ms]);
    return { result, ms };
  };
  let stopped = false;
  const round = async () => {
    // Whole seconds: the frame-time panels over measures and over measure_stats' 1-s bins then cover the same events.
    const end = new Date(Math.floor(Date.now() / 1000) * 1000);
    const begin = new Date(end.getTime() - RANGE_MS);
    for (const panel of PANELS) {
      // A failing panel (a view an older build lacks, for a before/after) leaves the others measured.
      try {
        report.queryMs.push((await timed(panel.name, () => client.query(panel.sql, begin, end))).ms);
      } catch (err) {
        report.errors.push(`${panel.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const { result } = await timed('newest log (log_entries)', () => client.query(NEWEST_LOG, new Date(Date.now() - 60_000), new Date(Date.now() + 1000)));
    const newest = result.getChild('newest')?.get(0) as Date | number | null | undefined;
    if (newest !== null && newest !== undefined) report.freshnessMs.push(Date.now() - Number(newest));
  };
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await round().catch((err: unknown) => { report.errors.push(err instanceof Error ? err.message : String(err)); });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, periodMs - (Date.now() - started))));
    }
  })();
  return {
    report,
    async stop() {
      stopped = true;
      await loop;
      client.close();
      return report;
    },
  };
}
