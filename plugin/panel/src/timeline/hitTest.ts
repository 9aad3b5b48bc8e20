// Which span is under the pointer.
import { firstVisible, type Timeline } from './model';
import { toTime, type Layout, type Viewport } from './layout';

export interface SpanHit {
  lane: string;
  /** The span's depth as the query returned it (1 for a top-level thread span). */
  depth: number;
  name: string;
  target: string;
  /** Epoch ms. */
  begin: number;
  end: number;
  /** end - begin, in ms, exact to the nanosecond (not rounded through epoch ms). */
  duration: number;
}

export function spanAt(timeline: Timeline, layout: Layout, v: Viewport, x: number, y: number): SpanHit | undefined {
  const placement = layout.rows.find((r) => y >= r.y && y < r.y + layout.rowHeight);
  if (!placement) {
    return undefined;
  }
  const lane = timeline.lanes[placement.lane]!;
  const row = lane.rows[placement.row]!;
  const t = toTime(x, v);
  // Half a pixel of slack so sub-pixel spans can still be hovered.
  const slack = (0.5 / v.width) * (v.to - v.from);
  let hit = -1;
  for (let i = firstVisible(row, t - slack); i < row.begin.length && row.begin[i]! <= t + slack; i++) {
    if (row.end[i]! >= t - slack) {
      hit = i;
    }
  }
  if (hit < 0) {
    return undefined;
  }
  return {
    lane: lane.name,
    depth: timeline.firstDepth + placement.row,
    name: timeline.names[row.name[hit]!]!,
    target: timeline.targets[row.target[hit]!]!,
    begin: timeline.origin + row.begin[hit]!,
    end: timeline.origin + row.end[hit]!,
    duration: row.end[hit]! - row.begin[hit]!,
  };
}
