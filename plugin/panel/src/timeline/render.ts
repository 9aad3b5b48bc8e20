// Canvas rendering, with a level of detail bounded by pixels, not by spans. A span at least a pixel
// wide is drawn (and labelled when there is room); spans narrower than a pixel are aggregated per
// pixel column of their row: the column's shade says how much of its time they cover, so a busy
// thread and an idle one look different at any zoom, and a zero-length span still shows. Runs of
// columns with the same shade are one rectangle: a row costs at most its width in rectangles.
import { firstVisible, type Timeline } from './model';
import { LANE_HEADER, toX, type Layout, type Viewport } from './layout';

export interface Palette {
  background: string;
  text: string;
  laneHeader: string;
  /** Shades of aggregated sub-pixel spans, faintest (some span touches the column) to fully covered. */
  dust: string[];
  spans: string[];
}

export type Canvas2D = Pick<
  CanvasRenderingContext2D,
  'fillRect' | 'fillText' | 'clearRect' | 'save' | 'restore' | 'beginPath' | 'rect' | 'clip' | 'measureText'
> & { fillStyle: CanvasRenderingContext2D['fillStyle']; font: string; textBaseline: CanvasTextBaseline };

const MIN_LABEL_WIDTH = 24;
/** Coverage of a column some span touches without covering any of it (a zero-length span). */
const TOUCHED = 1e-6;

export function colorOf(nameId: number, palette: Palette): string {
  return palette.spans[(nameId * 2654435761) % palette.spans.length]!;
}

export interface RenderStats {
  rects: number;
  labels: number;
  /** Spans narrower than a pixel, drawn as their columns' shade. */
  aggregated: number;
}

export function renderTimeline(ctx: Canvas2D, timeline: Timeline, layout: Layout, v: Viewport, palette: Palette): RenderStats {
  const stats: RenderStats = { rects: 0, labels: 0, aggregated: 0 };
  const columns = Math.ceil(v.width) + 1;
  const coverage = new Float32Array(columns);
  const wide: number[] = [];
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
    let first = columns;
    let last = -1;
    wide.length = 0;
    for (let i = firstVisible(row, v.from); i < row.begin.length && row.begin[i]! <= v.to; i++) {
      if (row.end[i]! < v.from) {
        continue;
      }
      const x0 = Math.max(0, toX(row.begin[i]!, v));
      const x1 = Math.min(v.width, toX(row.end[i]!, v));
      if (x1 - x0 >= 1) {
        wide.push(i);
        continue;
      }
      // A sub-pixel span covers part of one column, or of two neighbours.
      const column = Math.min(columns - 1, Math.floor(x0));
      const split = Math.min(x1, column + 1);
      coverage[column] = Math.max(coverage[column]! + (split - x0), TOUCHED);
      if (x1 > split && column + 1 < columns) {
        coverage[column + 1]! += x1 - split;
      }
      first = Math.min(first, column);
      last = Math.max(last, x1 > split ? column + 1 : column);
      stats.aggregated++;
    }
    stats.rects += drawCoverage(ctx, coverage, first, last, placement.y, h, palette.dust);
    for (const i of wide) {
      const x0 = Math.max(0, toX(row.begin[i]!, v));
      const x1 = Math.min(v.width, toX(row.end[i]!, v));
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
  }
  return stats;
}

/** Draws columns [first, last] by shade, one rectangle per run of equal shade; clears them. Returns the rectangles drawn. */
function drawCoverage(ctx: Canvas2D, coverage: Float32Array, first: number, last: number, y: number, h: number, shades: string[]): number {
  let rects = 0;
  const shadeOf = (c: number) => (c > 0 ? Math.min(shades.length - 1, Math.floor(c * shades.length)) : -1);
  for (let x = first; x <= last;) {
    const shade = shadeOf(coverage[x]!);
    let end = x + 1;
    while (end <= last && shadeOf(coverage[end]!) === shade) {
      end++;
    }
    if (shade >= 0) {
      ctx.fillStyle = shades[shade]!;
      ctx.fillRect(x, y, end - x, h);
      rects++;
    }
    coverage.fill(0, x, end);
    x = end;
  }
  return rects;
}
