// The time axis above the lanes: ticks at round steps (1-2-5 below the second, then clock-friendly
// ones up to a day) at least MIN_TICK_SPACING apart, labelled with the wall-clock time at the
// precision of the step. Below a millisecond the first tick carries the clock time and the others
// their offset from it (+250 µs): a clock to the microsecond would not fit between ticks.
import { LANE_HEADER, toX, type Viewport } from './layout';
import type { Canvas2D } from './render';

export const AXIS_HEIGHT = LANE_HEADER + 4;
export const MIN_TICK_SPACING = 90;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Round steps: 1-2-5 from a nanosecond to half a second, then clock-friendly ones. */
const STEPS_MS = [
  ...[-6, -5, -4, -3, -2, -1, 0, 1, 2].flatMap((e) => [1, 2, 5].map((m) => (e < 0 ? m / 10 ** -e : m * 10 ** e))),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * SECOND),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
  ...[1, 3, 6, 12, 24].map((n) => n * HOUR),
];

export interface Tick {
  x: number;
  label: string;
}

/** Formats epoch ms with a moment-style pattern (the panel passes Grafana's, in the dashboard's time zone). */
export type ClockFormat = (epochMs: number, pattern: string) => string;

/** The smallest round step whose ticks are at least `minSpacing` pixels apart. */
export function tickStep(v: Viewport, minSpacing = MIN_TICK_SPACING): number {
  const msPerPx = (v.to - v.from) / v.width;
  return STEPS_MS.find((s) => s / msPerPx >= minSpacing) ?? STEPS_MS[STEPS_MS.length - 1]!;
}

/** Below a millisecond, as `+250 µs` or `+20 ns`. */
export function formatOffset(ms: number): string {
  const ns = Math.round(ms * 1e6);
  return ns % 1000 === 0 ? `+${ns / 1000} µs` : `+${ns} ns`;
}

/** Ticks of the view `v` (in ms since `origin`, a whole epoch millisecond). */
export function timeTicks(v: Viewport, origin: number, format: ClockFormat, minSpacing = MIN_TICK_SPACING): Tick[] {
  const step = tickStep(v, minSpacing);
  const pattern = step >= MINUTE ? 'HH:mm' : step >= SECOND ? 'HH:mm:ss' : 'HH:mm:ss.SSS';
  // Steps of a millisecond and more align on the wall clock; finer ones divide a millisecond, and origin is a whole one.
  const first = step >= 1 ? Math.ceil((origin + v.from) / step) * step - origin : Math.ceil(v.from / step) * step;
  const ticks: Tick[] = [];
  for (let k = 0, t = first; t <= v.to; k++, t = first + k * step) {
    const label = step >= 1 || k === 0 ? format(origin + t, pattern) : formatOffset(t - first);
    ticks.push({ x: toX(t, v), label });
  }
  return ticks;
}

export interface AxisPalette {
  background: string;
  text: string;
  tick: string;
}

export function renderAxis(ctx: Canvas2D, ticks: Tick[], width: number, palette: AxisPalette): void {
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, AXIS_HEIGHT);
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  for (const tick of ticks) {
    ctx.fillStyle = palette.tick;
    ctx.fillRect(Math.round(tick.x), AXIS_HEIGHT - 6, 1, 6);
    ctx.fillStyle = palette.text;
    ctx.fillText(tick.label, Math.round(tick.x) + 3, AXIS_HEIGHT / 2 - 2);
  }
}
