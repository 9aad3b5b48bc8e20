/**
 * When the scheduler materializes what. Each schedule ticks once per period and builds partitions one
 * period wide over an insert-time window behind its tick, so that a partition is built once its
 * inserts are complete and every larger one replaces (merges) the smaller ones it covers:
 *
 *   second: [t−2s, t)   minute: [t−2m, t)   hour: [t−2h, t)   day: [t−2d, t)
 *
 * where t is the tick's period boundary (the day tick merges only the metadata views: the others
 * stay in hours, see `HOURLY_VIEW_SETS`). The second and minute windows end at the first period
 * still open (`untilClosed`): a period is complete once no transaction that could still insert into
 * it is open, so the tick just after it builds (merges) it, instead of a period later. A query then
 * finds at most the last second or so left to build, and reads at most a minute of second
 * partitions; the period before is checked again (a tick delayed or kept back by a long transaction). The hour and day ticks wait (`delaySeconds`) for the
 * minute and hour ticks to have covered the end of their window, so that a merge happens once its
 * period's inserts are complete (a block arriving in a merged period makes the whole larger
 * partition stale, rebuilt by the next refresh). Windows span two periods, so a failed or
 * missed tick is repaired by the next one; second ticks are never caught up (when the scheduler
 * falls behind, the minute tick covers what they skipped).
 *
 * The minute, hour and day ticks run in steps (a view set or a chore each) between second ticks,
 * the shortest period first, so a second is built on time while a minute is being merged, and a
 * minute while an hour is; a tick of theirs that waited behind a long step also covers the periods
 * of the ticks it skipped meanwhile.
 *
 * View sets run in update-group order: blocks, then the other metadata views and the block views,
 * then what derives from them (log_stats from log_entries, measure_stats from measures), then the user-defined views (each after
 * its source, see `withViewSets`). A second whose inserts are all the backend's own telemetry (or
 * none) is left to the minute tick. Expired files are swept every minute
 * (their grace period is minutes long), then the metadata tables that need it are vacuumed (the
 * minute merges, the sweep and the hour's retention are what leaves dead rows); retention and tail
 * sampling run every hour.
 */
export type ScheduleName = 'second' | 'minute' | 'hour' | 'day';

export interface Schedule {
  name: ScheduleName;
  /** Tick period, and the insert-time width of the partitions it builds. */
  periodSeconds: number;
  /** How long after its period boundary a tick runs. */
  delaySeconds: number;
  /** Window start and end relative to the tick's boundary, in periods. */
  window: readonly [number, number];
  viewSets: readonly string[];
  /** Housekeeping after the view sets: deleting due expired files, retention, tail sampling, vacuuming the metadata. */
  chores: readonly Chore[];
  /**
   * Skips a window where no process but the backend itself inserted anything (the minute tick
   * builds it): an idle server writes no partition a second for its own telemetry.
   */
  onlyForOthers?: boolean;
  /** Ends the window at the first period holding an insert second that may still get blocks (../../views/insert-seconds.ts `openSince`). */
  untilClosed?: boolean;
  /**
   * Runs a view set or chore at a time between the ticks of the schedules without this flag (see
   * `MaintenanceScheduler.runOnce`'s step budget): a minute's merges take seconds, and second ticks
   * waiting behind them fall behind, which sends every statement back to building the present.
   */
  inSteps?: boolean;
}

export type Chore = 'sweep' | 'retention' | 'tail_sampling' | 'vacuum';

/** Update-group order (blocks → processes, streams, log_entries, measures, otel_spans → log_stats, measure_stats): a view after those it reads. */
const VIEW_SETS = ['blocks', 'processes', 'streams', 'log_entries', 'measures', 'otel_spans', 'log_stats', 'measure_stats'];
/**
 * The per-event views (and log_stats and measure_stats, whose partitions follow theirs one for one)
 * stay in hour partitions, as upstream micromegas caps per-event views (`get_max_partition_time_delta`):
 * a day of a 1,000-process fleet's measures is about 15 billion rows, a merge that would hold the
 * scheduler's one lane for hours. A month of stats then reads 720 files instead of 30. Partitions
 * already large are not merged at all (../../views/segment-refresh.ts, MERGED_ENOUGH_ROWS): a large
 * fleet's measures stay in minutes, their measure_stats still end as hours.
 */
const HOURLY_VIEW_SETS = new Set(['log_entries', 'measures', 'otel_spans', 'log_stats', 'measure_stats']);
const DAY_VIEW_SETS = VIEW_SETS.filter((v) => !HOURLY_VIEW_SETS.has(v));

export const schedules: readonly Schedule[] = [
  { name: 'second', periodSeconds: 1, delaySeconds: 0, window: [-2, 0], viewSets: VIEW_SETS, chores: [], onlyForOthers: true, untilClosed: true },
  { name: 'minute', periodSeconds: 60, delaySeconds: 0, window: [-2, 0], viewSets: VIEW_SETS, chores: ['sweep', 'vacuum'], untilClosed: true, inSteps: true },
  { name: 'hour', periodSeconds: 3600, delaySeconds: 120, window: [-2, 0], viewSets: VIEW_SETS, chores: ['retention', 'tail_sampling'], inSteps: true },
  { name: 'day', periodSeconds: 86_400, delaySeconds: 600, window: [-2, 0], viewSets: DAY_VIEW_SETS, chores: [], inSteps: true },
];

/** `base` with `viewSets` run last in every schedule, in the order given. */
export function withViewSets(base: readonly Schedule[], viewSets: readonly string[]): readonly Schedule[] {
  if (viewSets.length === 0) return base;
  return base.map((s) => ({ ...s, viewSets: [...s.viewSets, ...viewSets] }));
}

/** The period boundary of the tick due at `now` (seconds since the epoch). */
export function tickOf(schedule: Schedule, now: Date): number {
  const seconds = Math.floor(now.getTime() / 1000) - schedule.delaySeconds;
  return Math.floor(seconds / schedule.periodSeconds) * schedule.periodSeconds;
}

/** The insert-time window the tick at `tick` materializes. */
export function windowOf(schedule: Schedule, tick: number): { begin: Date; end: Date } {
  const [from, to] = schedule.window;
  return {
    begin: new Date((tick + from * schedule.periodSeconds) * 1000),
    end: new Date((tick + to * schedule.periodSeconds) * 1000),
  };
}
