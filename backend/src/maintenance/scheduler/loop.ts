/**
 * Drives a scheduler from the wall clock in two lanes, each ticking shortly after each second
 * boundary and never twice at once (a slow tick delays the lane's next one; the second schedule then
 * skips what it missed): the second ticks in one, the minute, hour and day merges in the other. A
 * merge of a busy minute takes seconds; run in line it would hold the second ticks back, and
 * statements, which leave the newest seconds to those ticks only while they keep up
 * (../../views/scheduled-until.ts), would build them again meanwhile.
 */
import type { MaintenanceEvent } from '../events.js';
import { CLOSING_MARGIN_SECONDS, type MaintenanceScheduler } from './scheduler.js';
import type { ScheduleName } from './schedules.js';

/** After the second boundary: past the scheduler's closing margin, with room for the clocks' jitter. */
const TICK_OFFSET_MS = CLOSING_MARGIN_SECONDS * 1000 + 50;

const LANES: readonly (readonly ScheduleName[])[] = [['second'], ['minute', 'hour', 'day']];

export interface SchedulerLoop {
  /** Waits for the ticks in progress, then gives leadership up. */
  stop(): Promise<void>;
}

export function startSchedulerLoop(
  scheduler: MaintenanceScheduler,
  options: { clock?: () => Date; onTick?: (events: MaintenanceEvent[]) => void; onError: (err: unknown) => void },
): SchedulerLoop {
  const clock = options.clock ?? (() => new Date());
  let stopped = false;
  const lanes = LANES.map((only) => {
    const lane: { timer?: NodeJS.Timeout; running: Promise<void> } = { running: Promise.resolve() };
    const tick = () => {
      lane.running = scheduler.runOnce(clock(), only).then(
        (events) => options.onTick?.(events),
        (err: unknown) => options.onError(err),
      ).then(() => {
        if (stopped) return;
        // Just past the next second boundary and the scheduler's closing margin, so the tick can
        // build the second that just completed.
        lane.timer = setTimeout(tick, 1000 - (clock().getTime() % 1000) + TICK_OFFSET_MS);
      });
    };
    tick();
    return lane;
  });

  return {
    async stop() {
      stopped = true;
      for (const lane of lanes) clearTimeout(lane.timer);
      await Promise.all(lanes.map((lane) => lane.running));
      await scheduler.resign();
    },
  };
}
