// Vertical layout (lanes stacked, a header then one row per depth, top-level first) and the time ↔ x mapping.
import type { Timeline } from './model';

export const LANE_HEADER = 18;

export interface Viewport {
  from: number;
  to: number;
  width: number;
}

export interface RowPlacement {
  lane: number;
  /** Index in the lane's rows (span depth = Timeline.firstDepth + row). */
  row: number;
  y: number;
}

export interface Layout {
  rows: RowPlacement[];
  laneTops: number[];
  height: number;
  rowHeight: number;
}

export function layoutTimeline(timeline: Timeline, rowHeight: number): Layout {
  const rows: RowPlacement[] = [];
  const laneTops: number[] = [];
  let y = 0;
  timeline.lanes.forEach((lane, laneIndex) => {
    laneTops.push(y);
    y += LANE_HEADER;
    lane.rows.forEach((_, row) => {
      rows.push({ lane: laneIndex, row, y });
      y += rowHeight;
    });
  });
  return { rows, laneTops, height: y, rowHeight };
}

export const toX = (t: number, v: Viewport) => ((t - v.from) / (v.to - v.from)) * v.width;
export const toTime = (x: number, v: Viewport) => v.from + (x / v.width) * (v.to - v.from);

/** Zoom by `factor` (< 1 zooms in) keeping the time under `x` fixed. */
export function zoom(v: Viewport, x: number, factor: number): Viewport {
  const pivot = toTime(x, v);
  const span = Math.max(1e-6, (v.to - v.from) * factor);
  const ratio = x / v.width;
  return { ...v, from: pivot - span * ratio, to: pivot + span * (1 - ratio) };
}

/** Shift by `dx` pixels (dragging right moves earlier times into view). */
export function pan(v: Viewport, dx: number): Viewport {
  const dt = (dx / v.width) * (v.to - v.from);
  return { ...v, from: v.from - dt, to: v.to - dt };
}
