/**
 * Drives a scheduler from the wall clock: one tick shortly after each second boundary, never two at
 * once (a slow tick delays the next; the second schedule then skips what it missed), with the larger
 * schedules' merges run a step at a time in what is left of each second.
 */
import type { MaintenanceEvent } from '../events.js';
import { CLOSING_MARGIN_SECONDS, type MaintenanceScheduler } from './scheduler.js';

/** After the second boundary: past the scheduler's closing margin, with room for the clocks' jitter. */
const TICK_OFFSET_MS = CLOSING_MARGIN_SECONDS * 1000 + 50;
/**
 * A tick starts steps of the minute, hour and day merges while it has run less than this, leaving
 * the rest of the second to the next second's tick (one step always runs, so merges progress).
 */
const STEP_BUDGET_MS = 500;

export interface SchedulerLoop {
  /** Waits for the tick in progress, then gives leadership up. */
  stop(): Promise<void>;
}

export function startSchedulerLoop(
  scheduler: MaintenanceScheduler,
  options: { clock?: () => Date; onTick?: (events: MaintenanceEvent[]) => void; onError: (err: unknown) => void },
): SchedulerLoop {
  const clock = options.clock ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    const started = clock().getTime();
    running = scheduler.runOnce(new Date(started), { stepBudgetMs: STEP_BUDGET_MS }).then(
      (events) => options.onTick?.(events),
      (err: unknown) => options.onError(err),
    ).then(() => {
      if (stopped) return;
      timer = setTimeout(tick, delayToNextTick(started, clock().getTime()));
    });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await scheduler.resign();
    },
  };
}

/**
 * How long after `nowMs` the tick following one that started at `startedMs` is due: just past the
 * next second boundary and the scheduler's closing margin, so that it builds the second that just
 * completed; at once when that moment has passed (a tick that took most of a second is followed
 * straight away, instead of a second later, when the second before last would go unbuilt by ticks).
 */
export function delayToNextTick(startedMs: number, nowMs: number): number {
  const due = (Math.floor(startedMs / 1000) + 1) * 1000 + TICK_OFFSET_MS;
  return Math.max(0, due - nowMs);
}
