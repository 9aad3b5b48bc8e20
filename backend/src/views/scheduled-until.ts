/**
 * How far a statement builds a busy global instance. The scheduler's second tick builds each second
 * of it 250 ms after the second ends (../maintenance/scheduler/), so while its newest partition
 * (whole seconds at both ends: a tick's or a merge's) ends at most `windowMs` before now, a statement
 * leaves what was inserted after that to the next tick instead of building it too: a dashboard's
 * statements, each bringing the present up to date, cost about what the scheduler did for the same
 * blocks, and waited for it. Upstream micromegas leaves global instances to its daemon altogether;
 * here a statement still builds to the present when no scheduler keeps up (none runs, or it is
 * behind by more than the window), so a line is visible within about `windowMs` either way.
 */
import type { StoredPartition } from './partition-index.js';

/** Default window: a tick finishing within 2 s of the second it builds keeps statements off its work. */
export const SCHEDULED_WINDOW_MS = 2000;

/** Where a statement stops building (ms since the epoch), or undefined: up to the present. */
export function scheduledUntil(partitions: readonly StoredPartition[], nowMs: number, windowMs: number): number | undefined {
  if (!(windowMs > 0)) return undefined;
  let newest = -Infinity;
  for (const p of partitions) {
    const [begin, end] = [p.begin_insert_time.getTime(), p.end_insert_time.getTime()];
    if (begin % 1000 === 0 && end % 1000 === 0 && end <= nowMs && end > newest) newest = end;
  }
  return newest >= nowMs - windowMs ? newest : undefined;
}
