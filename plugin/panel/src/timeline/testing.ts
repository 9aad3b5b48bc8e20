// Span frames as the datasource returns thread_spans: built in ms, or (jsonSpanFrame) with times in
// ns that go the way Grafana's server sends them to the browser (sdk-go's frame JSON: whole ms plus
// nanos) and come back through Grafana's dataFrameFromJSON.
import { dataFrameFromJSON, FieldType, toDataFrame, type DataFrame } from '@grafana/data';
import { frameToJson } from '../../../tests/grafana/frameJson';
import type { Canvas2D } from './render';

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

export interface NsSpanRow {
  /** Epoch nanoseconds. */
  begin: bigint;
  end: bigint;
  depth: number;
  name: string;
}

/** A thread_spans frame as the panel gets it in Grafana: through the frame JSON (ms + nanos). */
export function jsonSpanFrame(name: string, rows: NsSpanRow[]): DataFrame {
  const time = (n: string, values: bigint[]) => ({ name: n, type: 'time.Time', nullable: false, tstype: 'time', values });
  const json = frameToJson({
    name,
    refId: 'A',
    fields: [
      time(
        'begin',
        rows.map((r) => r.begin),
      ),
      time(
        'end',
        rows.map((r) => r.end),
      ),
      { name: 'depth', type: 'uint32', nullable: false, tstype: 'number', values: rows.map((r) => r.depth) },
      { name: 'name', type: 'string', nullable: false, tstype: 'string', values: rows.map((r) => r.name) },
    ],
  });
  return dataFrameFromJSON(JSON.parse(json));
}

/** A 2D context that records what is drawn: each rectangle with its fill, each text. */
export function recordingContext() {
  const calls = { fillRect: 0, fillText: [] as string[], rects: [] as Array<{ x: number; y: number; w: number; style: string }> };
  const ctx: Canvas2D = {
    fillStyle: '',
    font: '',
    textBaseline: 'alphabetic',
    fillRect(x: number, y: number, w: number) {
      calls.fillRect++;
      calls.rects.push({ x, y, w, style: String(this.fillStyle) });
    },
    fillText: (text: string) => void calls.fillText.push(text),
    clearRect: () => undefined,
    save: () => undefined,
    restore: () => undefined,
    beginPath: () => undefined,
    rect: () => undefined,
    clip: () => undefined,
    measureText: () => ({ width: 10 }) as TextMetrics,
  };
  return { ctx, calls };
}
