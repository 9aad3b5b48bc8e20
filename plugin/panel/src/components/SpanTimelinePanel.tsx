import React, { useEffect, useMemo, useRef, useState } from 'react';
import { colorManipulator, dateTimeFormat, type PanelProps } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { AXIS_HEIGHT, renderAxis, timeTicks, type AxisPalette, type ClockFormat } from '../timeline/axis';
import { spanAt, type SpanHit } from '../timeline/hitTest';
import { layoutTimeline, pan, zoom, type Viewport } from '../timeline/layout';
import { buildTimeline, SpanFrameError, type Timeline } from '../timeline/model';
import { formatClock, formatDuration } from '../timeline/format';
import { renderTimeline, type Palette } from '../timeline/render';
import type { SpanTimelineOptions } from '../types';

type Props = PanelProps<SpanTimelineOptions>;

const ZOOM_STEP = 1.15;
const CLICK_SLOP_PX = 3;
/** Shades of aggregated sub-pixel spans, by the share of a pixel column they cover. */
const DUST_ALPHAS = [0.35, 0.55, 0.75, 1];

/** Sizes a canvas for the device's pixel ratio and returns its context, drawing in CSS pixels. */
function context2d(canvas: HTMLCanvasElement | null, width: number, height: number): CanvasRenderingContext2D | null {
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) {
    return null;
  }
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

export function SpanTimelinePanel({ data, width, height, options, onChangeTimeRange, timeZone }: Props) {
  const theme = useTheme2();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const axisRef = useRef<HTMLCanvasElement>(null);
  const clock: ClockFormat = useMemo(() => (ms, format) => dateTimeFormat(ms, { format, timeZone }), [timeZone]);
  const built = useMemo(() => {
    try {
      return { timeline: buildTimeline(data.series, options.laneField) };
    } catch (e) {
      if (e instanceof SpanFrameError) {
        return { error: e.message };
      }
      throw e;
    }
  }, [data.series, options.laneField]);
  const timeline = built.timeline;
  const layout = useMemo(() => (timeline ? layoutTimeline(timeline, options.rowHeight) : undefined), [timeline, options.rowHeight]);
  // The view belongs to one timeline: new data is shown whole until the user zooms or pans it.
  const [view, setView] = useState<{ of: Timeline; from: number; to: number }>();
  const fitted = { from: timeline?.begin ?? 0, to: Math.max(timeline?.end ?? 1, (timeline?.begin ?? 0) + 1e-3) };
  const { from, to } = view && view.of === timeline ? view : fitted;
  const viewport: Viewport = { from, to, width };
  const setViewport = (next: (v: Viewport) => Viewport) => {
    if (!timeline) {
      return;
    }
    setView((prev) => {
      const base = prev && prev.of === timeline ? prev : fitted;
      const moved = next({ from: base.from, to: base.to, width });
      return { of: timeline, from: moved.from, to: moved.to };
    });
  };
  const [hover, setHover] = useState<{ hit: SpanHit; x: number; y: number }>();
  const drag = useRef<{ x: number; moved: boolean } | undefined>(undefined);

  const palette: Palette = useMemo(
    () => ({
      background: theme.colors.background.primary,
      text: theme.colors.text.primary,
      laneHeader: theme.colors.background.secondary,
      dust: DUST_ALPHAS.map((a) => colorManipulator.alpha(theme.colors.text.secondary, a)),
      spans: theme.visualization.palette.map((c) => theme.visualization.getColorByName(c)),
    }),
    [theme],
  );
  const axisPalette: AxisPalette = useMemo(
    () => ({ background: theme.colors.background.primary, text: theme.colors.text.secondary, tick: theme.colors.border.strong }),
    [theme],
  );

  const canvasHeight = layout?.height ?? 0;
  useEffect(() => {
    const ctx = context2d(canvasRef.current, width, canvasHeight);
    if (ctx && timeline && layout) {
      renderTimeline(ctx, timeline, layout, { from, to, width }, palette);
    }
  }, [timeline, layout, from, to, width, canvasHeight, palette]);
  const ticks = useMemo(() => (timeline ? timeTicks({ from, to, width }, timeline.origin, clock) : []), [timeline, from, to, width, clock]);
  useEffect(() => {
    const ctx = context2d(axisRef.current, width, AXIS_HEIGHT);
    if (ctx) {
      renderAxis(ctx, ticks, width, axisPalette);
    }
  }, [ticks, width, axisPalette]);

  if (built.error) {
    return <div role="alert">{built.error}</div>;
  }
  if (!timeline || !layout || timeline.spanCount === 0) {
    return <div>No spans in the selected range</div>;
  }

  const local = (e: React.MouseEvent | React.WheelEvent) => {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };

  return (
    <div style={{ width, height, position: 'relative' }} data-testid="span-timeline">
      <canvas
        ref={axisRef}
        style={{ width, height: AXIS_HEIGHT, display: 'block' }}
        aria-label={`time axis: ${ticks.map((t) => t.label).join(', ')}`}
      />
      <div style={{ width, height: Math.max(0, height - AXIS_HEIGHT), overflowY: 'auto', overflowX: 'hidden', position: 'relative' }}>
        <canvas
          ref={canvasRef}
          style={{ width, height: canvasHeight, display: 'block', cursor: 'crosshair' }}
          aria-label={`span timeline: ${timeline.spanCount} spans in ${timeline.lanes.length} lanes`}
          onWheel={(e) => {
            const { x } = local(e);
            setViewport((v) => zoom(v, x, e.deltaY > 0 ? ZOOM_STEP : 1 / ZOOM_STEP));
          }}
          onMouseDown={(e) => (drag.current = { x: local(e).x, moved: false })}
          onMouseMove={(e) => {
            const { x, y } = local(e);
            if (drag.current) {
              const dx = x - drag.current.x;
              if (Math.abs(dx) > CLICK_SLOP_PX || drag.current.moved) {
                drag.current = { x, moved: true };
                setViewport((v) => pan(v, dx));
                setHover(undefined);
                return;
              }
            }
            const hit = spanAt(timeline, layout, viewport, x, y);
            setHover(hit ? { hit, x, y } : undefined);
          }}
          onMouseUp={(e) => {
            const wasDrag = drag.current?.moved;
            drag.current = undefined;
            if (wasDrag) {
              return;
            }
            const { x, y } = local(e);
            const hit = spanAt(timeline, layout, viewport, x, y);
            // Grafana time ranges have ms resolution: keep at least 1 ms.
            if (hit) {
              onChangeTimeRange({ from: Math.floor(hit.begin), to: Math.max(Math.ceil(hit.end), Math.floor(hit.begin) + 1) });
            }
          }}
          onMouseLeave={() => {
            drag.current = undefined;
            setHover(undefined);
          }}
        />
      </div>
      {hover && (
        <div
          role="tooltip"
          style={{
            position: 'absolute',
            left: Math.min(hover.x + 12, Math.max(0, width - 260)),
            top: AXIS_HEIGHT + hover.y + 12,
            background: theme.colors.background.secondary,
            border: `1px solid ${theme.colors.border.medium}`,
            padding: theme.spacing(0.5, 1),
            pointerEvents: 'none',
            maxWidth: 260,
            fontSize: theme.typography.bodySmall.fontSize,
          }}
        >
          <div>
            <strong>{hover.hit.name}</strong>
          </div>
          <div>duration: {formatDuration(hover.hit.duration)}</div>
          <div>target: {hover.hit.target || '—'}</div>
          <div>begin: {formatClock(timeline.origin, hover.hit.begin - timeline.origin, clock)}</div>
        </div>
      )}
    </div>
  );
}
