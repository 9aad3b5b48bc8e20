/**
 * The one mutable thing the recording API reads: this thread's buffers, or null before init() and
 * after shutdown() (recording is then a no-op). Kept apart so the hot path imports nothing else.
 */
import type { EventBuffer } from './event-buffer.js';

export const active: { log: EventBuffer | null; metrics: EventBuffer | null; cpu: EventBuffer | null } = {
  log: null,
  metrics: null,
  cpu: null,
};
