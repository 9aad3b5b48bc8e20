// Canvas rendering. Spans narrower than a pixel are merged per row into one "dust" rectangle,
// so the number of draw calls is bounded by the visible pixels, not by the span count.
import { firstVisible, type Timeline } from './model';
import { LANE_HEADER, toX, type Layout, type Viewport } from './layout';

export interface Palette {
  background: string;
  text: string;
  laneHeader: string;
  dust: string;
  spans: string[];
}

export type Canvas2D = Pick<
  CanvasRenderingContext2D,
  'fillRect' | 'fillText' | 'clearRect' | 'save' | 'restore' | 'beginPath' | 'rect' | 'clip' | 'measureText'
> & { fillStyle: CanvasRenderingContext2D['fillStyle']; font: string; textBaseline: CanvasTextBaseline };

const MIN_LABEL_WIDTH = 24;

function colorOf(nameId: number, palette: Palette): string {
  return palette.spans[(nameId * 2654435761) % palette.spans.length]!;
}

export interface RenderStats {
  rects: number;
  labels: number;
}

export function renderTimeline(ctx: Canvas2D, timeline: Timeline, layout: Layout, v: Viewport, palette: Palette): RenderStats {
  const stats: RenderStats = { rects: 0, labels: 0 };
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, v.width, layout.height);
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';

  timeline.lanes.forEach((lane, laneIndex) => {
    const top = layout.laneTops[laneIndex]!;
    ctx.fillStyle = palette.laneHeader;
    ctx.fillRect(0, top, v.width, LANE_HEADER);
    ctx.fillStyle = palette.text;
    ctx.fillText(lane.name, 4, top + LANE_HEADER / 2);
  });

  for (const placement of layout.rows) {
    const row = timeline.lanes[placement.lane]!.rows[placement.row]!;
    const h = layout.rowHeight - 1;
    let dustStart = -1;
    let dustEnd = -1;
    const flushDust = () => {
      if (dustStart < 0) {
        return;
      }
      ctx.fillStyle = palette.dust;
      ctx.fillRect(dustStart, placement.y, Math.max(1, dustEnd - dustStart), h);
      stats.rects++;
      dustStart = dustEnd = -1;
    };
    for (let i = firstVisible(row, v.from); i < row.begin.length && row.begin[i]! <= v.to; i++) {
      if (row.end[i]! < v.from) {
        continue;
      }
      const x0 = Math.max(0, toX(row.begin[i]!, v));
      const x1 = Math.min(v.width, toX(row.end[i]!, v));
      if (x1 - x0 < 1) {
        // Extend the current dust run when this span touches its last pixel.
        if (dustStart >= 0 && x0 <= dustEnd + 1) {
          dustEnd = Math.max(dustEnd, x1);
        } else {
          flushDust();
          dustStart = x0;
          dustEnd = x1;
        }
        continue;
      }
      flushDust();
      ctx.fillStyle = colorOf(row.name[i]!, palette);
      ctx.fillRect(x0, placement.y, x1 - x0, h);
      stats.rects++;
      if (x1 - x0 >= MIN_LABEL_WIDTH) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, placement.y, x1 - x0, h);
        ctx.clip();
        ctx.fillStyle = palette.text;
        ctx.fillText(timeline.names[row.name[i]!]!, x0 + 3, placement.y + h / 2);
        ctx.restore();
        stats.labels++;
      }
    }
    flushDust();
  }
  return stats;
}
