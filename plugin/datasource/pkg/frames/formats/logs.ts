// Logs as Grafana's data plane contract defines a "log-lines" frame (version 0.0), which
// grafana/grafana's logsFrame.ts reads by name and type: `timestamp` (time, not nullable), `body`
// (string, not nullable), `severity` (string), `id` (string) and `labels` (JSON object per line:
// label chips, common labels, filters from log details). The other columns become the labels.
import { jsonField, stringField, withName } from '../build.js';
import { findField, frameLength, type Frame } from '../frame.js';
import { asStrings, nanos, take, values } from '../rows.js';
import { FormatError } from './errors.js';

// Micromegas levels (1 = fatal … 6 = trace) in Grafana's level vocabulary.
const LEVEL_NAMES = ['unknown', 'critical', 'error', 'warning', 'info', 'debug', 'trace'];

export function severityName(level: unknown): string {
  if (typeof level === 'number' || typeof level === 'bigint') {
    return LEVEL_NAMES[Number(level)] ?? 'unknown';
  }
  return level === null || level === undefined ? 'unknown' : String(level);
}

/** The frame without the rows whose timestamp is null: a log line needs a time, the contract says. */
function timedRows(table: Frame, time: Frame['fields'][number]): { frame: Frame; dropped: number } {
  if (time.data.nullCount === 0) {
    return { frame: table, dropped: 0 };
  }
  const keep: number[] = [];
  for (let i = 0; i < time.data.length; i++) {
    if (time.data.getValid(i)) {
      keep.push(i);
    }
  }
  return { frame: { ...table, fields: table.fields.map((f) => take(f, keep)) }, dropped: time.data.length - keep.length };
}

export function logsFrame(result: Frame): Frame {
  const resultTime = findField(result, 'timestamp', 'time') ?? result.fields.find((f) => f.kind === 'time');
  if (!resultTime || resultTime.kind !== 'time') {
    throw new FormatError('logs', 'the result needs a timestamp column (time)');
  }
  const { frame: table, dropped } = timedRows(result, resultTime);
  const time = table.fields[result.fields.indexOf(resultTime)]!;
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
  const labels = Array.from({ length }, (_, row) => {
    const lineLabels: Record<string, unknown> = {};
    rest.forEach((f, i) => {
      const v = restValues[i]![row];
      if (v !== null && v !== undefined) {
        lineLabels[f.name] = typeof v === 'bigint' ? v.toString() : v;
      }
    });
    return lineLabels;
  });

  const notices = dropped > 0 ? [{ severity: 'warning' as const, text: `${dropped} rows without a timestamp are not shown` }] : [];
  return {
    name: table.name,
    refId: table.refId,
    fields: [
      withName(time, 'timestamp'),
      stringField(
        'body',
        (values(asStrings(body, 'body')) as Array<string | null>).map((v) => v ?? ''),
      ),
      stringField('severity', severity),
      stringField('id', ids),
      jsonField('labels', labels),
    ],
    meta: {
      ...table.meta,
      type: 'log-lines',
      typeVersion: [0, 0],
      preferredVisualisationType: 'logs',
      ...(notices.length > 0 ? { notices: [...(table.meta?.notices ?? []), ...notices] } : {}),
    },
  };
}
