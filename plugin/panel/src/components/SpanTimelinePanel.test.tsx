import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { LoadingState, getDefaultTimeRange, type PanelProps } from '@grafana/data';
import { SpanTimelinePanel } from './SpanTimelinePanel';
import { spanFrame } from '../timeline/testing';
import { LANE_HEADER } from '../timeline/layout';
import { DEFAULT_OPTIONS, type SpanTimelineOptions } from '../types';

const T0 = 1_700_000_000_000;

function renderPanel(
  series = [
    spanFrame('main', [
      { begin: T0, end: T0 + 100, depth: 1, name: 'frame', target: 'engine' },
      { begin: T0 + 10, end: T0 + 20, depth: 2, name: 'update', target: 'physics' },
    ]),
  ],
) {
  const onChangeTimeRange = jest.fn();
  const props = {
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    width: 1000,
    height: 300,
    options: DEFAULT_OPTIONS,
    onChangeTimeRange,
  } as unknown as PanelProps<SpanTimelineOptions>;
  render(<SpanTimelinePanel {...props} />);
  return { onChangeTimeRange, canvas: () => screen.getByLabelText(/span timeline/) };
}

describe('SpanTimelinePanel', () => {
  test('describes what it draws', () => {
    const canvas = renderPanel().canvas();
    expect(canvas).toHaveAttribute('aria-label', 'span timeline: 2 spans in 1 lanes');
  });

  test('hover shows name, duration and target', () => {
    const canvas = renderPanel().canvas();
    fireEvent.mouseMove(canvas, { clientX: 150, clientY: LANE_HEADER + 20 });
    const tooltip = screen.getByRole('tooltip');
    expect(tooltip).toHaveTextContent('update');
    expect(tooltip).toHaveTextContent('duration: 10.0 ms');
    expect(tooltip).toHaveTextContent('target: physics');
  });

  test('click sets the dashboard time range to the span', () => {
    const { onChangeTimeRange, canvas: getCanvas } = renderPanel();
    const canvas = getCanvas();
    fireEvent.mouseDown(canvas, { clientX: 150, clientY: LANE_HEADER + 20 });
    fireEvent.mouseUp(canvas, { clientX: 150, clientY: LANE_HEADER + 20 });
    expect(onChangeTimeRange).toHaveBeenCalledWith({ from: T0 + 10, to: T0 + 20 });
  });

  test('dragging pans instead of clicking', () => {
    const { onChangeTimeRange, canvas: getCanvas } = renderPanel();
    const canvas = getCanvas();
    fireEvent.mouseDown(canvas, { clientX: 150, clientY: LANE_HEADER + 20 });
    fireEvent.mouseMove(canvas, { clientX: 400, clientY: LANE_HEADER + 20 });
    fireEvent.mouseUp(canvas, { clientX: 400, clientY: LANE_HEADER + 20 });
    expect(onChangeTimeRange).not.toHaveBeenCalled();
    // After panning 250 px right, the 'update' span sits 250 px further right.
    fireEvent.mouseMove(canvas, { clientX: 400, clientY: LANE_HEADER + 20 });
    expect(screen.getByRole('tooltip')).toHaveTextContent('update');
  });

  test('a time axis above the lanes labels round times of the view', () => {
    renderPanel();
    // 100 ms over 1000 px: a tick every 10 ms, labelled with the clock in the dashboard's time zone.
    expect(screen.getByLabelText(/^time axis/).getAttribute('aria-label')).toMatch(
      /^time axis: (\d\d:\d\d:\d\d\.\d\d0, ){10}\d\d:\d\d:\d\d\.\d\d0$/,
    );
  });

  test('explains frames that are not spans', () => {
    renderPanel([{ name: 'logs', fields: [], length: 0 } as never]);
    expect(screen.getByRole('alert')).toHaveTextContent('needs begin and end');
  });
});
