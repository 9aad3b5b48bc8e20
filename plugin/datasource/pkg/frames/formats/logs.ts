// Logs in Grafana's log-lines shape: timestamp, body, severity, id, attributes.
import { jsonField, stringField, withName } from '../build.js';
import { findField, frameLength, type Frame } from '../frame.js';
import { asStrings, nanos, values } from '../rows.js';
import { FormatError } from './errors.js';

// Micromegas levels (1 = fatal … 6 = trace) in Grafana's level vocabulary.
const LEVEL_NAMES = ['unknown', 'critical', 'error', 'warning', 'info', 'debug', 'trace'];

export function severityName(level: unknown): string {
  if (typeof level === 'number' || typeof level === 'bigint') {
    return LEVEL_NAMES[Number(level)] ?? 'unknown';
  }
  return level === null || level === undefined ? 'unknown' : String(level);
}

export function logsFrame(table: Frame): Frame {
  const time = findField(table, 'timestamp', 'time') ?? table.fields.find((f) => f.kind === 'time');
  if (!time || time.kind !== 'time') {
    throw new FormatError('logs', 'the result needs a timestamp column (time)');
  }
  const body = findField(table, 'body', 'msg', 'message');
  if (!body) {
    throw new FormatError('logs', 'the result needs a message column (msg or body)');
  }
  const level = findField(table, 'severity', 'level');
  const explicitId = findField(table, 'id');
  const used = new Set([time, body, level, explicitId]);
  const rest = table.fields.filter((f) => !used.has(f));
  const length = frameLength(table);

  const severity = level ? values(level).map(severityName) : new Array<string>(length).fill('unknown');

  let ids: string[];
  if (explicitId) {
    ids = values(explicitId).map((v) => String(v));
  } else {
    // Stable across refreshes: process, timestamp, and a counter among identical pairs.
    const process = findField(table, 'process_id');
    const processes = process ? values(process) : [];
    const t = nanos(time);
    const seen = new Map<string, number>();
    ids = Array.from({ length }, (_, i) => {
      const key = `${processes[i] ?? ''}_${t[i]}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return `${key}_${n}`;
    });
  }

  const restValues = rest.map(values);
  const attributes = Array.from({ length }, (_, row) => {
    const attrs: Record<string, unknown> = {};
    rest.forEach((f, i) => {
      const v = restValues[i]![row];
      if (v !== null && v !== undefined) {
        attrs[f.name] = typeof v === 'bigint' ? v.toString() : v;
      }
    });
    return attrs;
  });

  return {
    name: table.name,
    refId: table.refId,
    fields: [
      withName(time, 'timestamp'),
      asStrings(body, 'body'),
      stringField('severity', severity),
      stringField('id', ids),
      jsonField('attributes', attributes),
    ],
    meta: { ...table.meta, type: 'log-lines', typeVersion: [0, 0], preferredVisualisationType: 'logs' },
  };
}
