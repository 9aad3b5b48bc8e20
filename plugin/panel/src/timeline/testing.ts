// Span frames as the datasource returns thread_spans (times in ms, as Grafana's frontend sees them).
import { FieldType, toDataFrame, type DataFrame } from '@grafana/data';

export interface SpanRow {
  begin: number;
  end: number;
  depth: number;
  name: string;
  target?: string;
  thread?: string;
}

export function spanFrame(name: string, rows: SpanRow[]): DataFrame {
  const fields = [
    { name: 'begin', type: FieldType.time, values: rows.map((r) => r.begin) },
    { name: 'end', type: FieldType.time, values: rows.map((r) => r.end) },
    { name: 'depth', type: FieldType.number, values: rows.map((r) => r.depth) },
    { name: 'name', type: FieldType.string, values: rows.map((r) => r.name) },
    { name: 'target', type: FieldType.string, values: rows.map((r) => r.target ?? '') },
  ];
  if (rows.some((r) => r.thread)) {
    fields.push({ name: 'thread', type: FieldType.string, values: rows.map((r) => r.thread ?? '') });
  }
  return toDataFrame({ name, fields });
}

/** A deterministic frame of `count` spans: a tick every 10 µs, four levels deep (depths 1–4, as thread_spans). */
export function manySpans(count: number, t0 = 1_700_000_000_000): DataFrame {
  const rows: SpanRow[] = [];
  for (let i = 0; i < count; i++) {
    const level = i % 4;
    const begin = t0 + Math.floor(i / 4) * 0.01 + level * 0.001;
    rows.push({ begin, end: begin + 0.008 - level * 0.002, depth: 1 + level, name: `fn${i % 17}`, target: 'game' });
  }
  return spanFrame('main', rows);
}
