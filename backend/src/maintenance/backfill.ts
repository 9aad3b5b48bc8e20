/**
 * Backfill (`micromegas materialize`): builds a view set's global partitions of `deltaSeconds` over
 * an insert-time range, window by window so that progress can be shown and an interruption loses
 * at most one window (what was built stays; a rerun skips it as up to date).
 */
import type { SqlExecutor } from '../lake/metadata/store.js';
import type { ViewCatalog } from '../views/catalog.js';
import { rowsInWindow } from './window-rows.js';

/** Partitions per window: enough to amortize the per-call work, few enough to show progress. */
const PARTITIONS_PER_WINDOW = 24;

export interface BackfillOptions {
  viewSet: string;
  begin: Date;
  end: Date;
  deltaSeconds: number;
  onProgress?: (progress: { windowsDone: number; windows: number; partitions: number }) => void;
}

export interface BackfillReport {
  /** The range actually covered: `begin` floored and `end` ceiled to whole partitions. */
  begin: Date;
  end: Date;
  windows: number;
  /** Partitions (re)built; those already up to date are not counted. */
  partitions: number;
  /** Rows in the range's partitions afterwards. */
  rows: number;
  seconds: number;
}

export async function backfill(
  catalog: Pick<ViewCatalog, 'materializePartitions'>, db: SqlExecutor, options: BackfillOptions,
): Promise<BackfillReport> {
  const started = performance.now();
  const deltaMs = options.deltaSeconds * 1000;
  const begin = Math.floor(options.begin.getTime() / deltaMs) * deltaMs;
  const end = Math.ceil(options.end.getTime() / deltaMs) * deltaMs;
  const step = deltaMs * PARTITIONS_PER_WINDOW;
  const windows = Math.max(0, Math.ceil((end - begin) / step));
  let partitions = 0;
  for (let i = 0; i < windows; i++) {
    const from = begin + i * step;
    partitions += await catalog.materializePartitions(options.viewSet, new Date(from), new Date(Math.min(from + step, end)), options.deltaSeconds);
    options.onProgress?.({ windowsDone: i + 1, windows, partitions });
  }
  return {
    begin: new Date(begin), end: new Date(end), windows, partitions,
    rows: await rowsInWindow(db, options.viewSet, new Date(begin), new Date(end)),
    seconds: (performance.now() - started) / 1000,
  };
}
