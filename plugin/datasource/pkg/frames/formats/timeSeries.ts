// Time series: a `time` column, numeric value columns, and optional string columns that become labels.
// Without string columns the result is one wide frame; with them ("long" results such as
// `SELECT time, name, value FROM measures`) one frame per label set and value column.
import type { Frame, FrameField } from '../frame.js';
import { nanos, take, values } from '../rows.js';
import { FormatError } from './errors.js';

function sortedByTime(time: FrameField): Int32Array {
  const t = nanos(time);
  const order = Int32Array.from({ length: t.length }, (_, i) => i);
  return order.sort((a, b) => (t[a]! < t[b]! ? -1 : t[a]! > t[b]! ? 1 : a - b));
}

export function timeSeriesFrames(table: Frame): Frame[] {
  const time = table.fields.find((f) => f.kind === 'time');
  if (!time) {
    throw new FormatError('time series', 'the result has no timestamp column');
  }
  const valueFields = table.fields.filter((f) => f.kind === 'number');
  if (valueFields.length === 0) {
    throw new FormatError('time series', 'the result has no numeric column');
  }
  const labelFields = table.fields.filter((f) => f.kind === 'string');
  const order = sortedByTime(time);
  const meta = { ...table.meta, typeVersion: [0, 1] as [number, number] };

  if (labelFields.length === 0) {
    return [{ ...table, fields: [time, ...valueFields].map((f) => take(f, order)), meta: { ...meta, type: 'timeseries-wide' } }];
  }

  const labelValues = labelFields.map(values);
  const groups = new Map<string, { labels: Record<string, string>; rows: number[] }>();
  for (const row of order) {
    const labels: Record<string, string> = {};
    labelFields.forEach((f, i) => (labels[f.name] = String(labelValues[i]![row] ?? '')));
    const key = JSON.stringify(labels);
    let group = groups.get(key);
    if (!group) {
      groups.set(key, (group = { labels, rows: [] }));
    }
    group.rows.push(row);
  }
  const frames: Frame[] = [];
  for (const { labels, rows } of groups.values()) {
    for (const value of valueFields) {
      frames.push({
        name: value.name,
        refId: table.refId,
        fields: [take(time, rows), { ...take(value, rows), labels }],
        meta: { ...meta, type: 'timeseries-multi' },
      });
    }
  }
  return frames;
}
