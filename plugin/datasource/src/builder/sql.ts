// The query builder's model and the SQL it stands for. View sets and their event-time columns follow
// the lake's schemas; sets without a global instance need an instance id (process or stream).

export interface ViewSetInfo {
  name: string;
  timeColumn: string;
  /** What the instance id is, when the set has per-instance views. */
  instance?: 'process_id' | 'stream_id';
  /** Whether the set has a global instance (queried by its bare name). */
  global: boolean;
}

export const VIEW_SETS: ViewSetInfo[] = [
  { name: 'log_entries', timeColumn: 'time', instance: 'process_id', global: true },
  { name: 'measures', timeColumn: 'time', instance: 'process_id', global: true },
  { name: 'thread_spans', timeColumn: 'begin', instance: 'stream_id', global: false },
  { name: 'async_events', timeColumn: 'time', instance: 'process_id', global: false },
  { name: 'log_stats', timeColumn: 'time_bin', global: true },
  { name: 'processes', timeColumn: 'insert_time', global: true },
  { name: 'streams', timeColumn: 'insert_time', global: true },
  { name: 'blocks', timeColumn: 'insert_time', global: true },
];

export interface BuilderModel {
  viewSet: string;
  /** process_id or stream_id; empty means the global instance. */
  instance?: string;
  columns?: string[];
  /** Extra SQL conditions, ANDed with the time filter. */
  filter?: string;
  limit?: number;
}

export class BuilderError extends Error {}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
// SQL keywords that lake columns use as names (thread_spans has `end`).
const RESERVED = new Set(['end', 'order', 'group', 'select', 'from', 'where', 'limit', 'table', 'user']);
const identifier = (s: string) => (/^[a-z_][a-z0-9_]*$/i.test(s) && !RESERVED.has(s.toLowerCase()) ? s : `"${s.replace(/"/g, '""')}"`);

export function builderSql(model: BuilderModel): string {
  const set = VIEW_SETS.find((v) => v.name === model.viewSet);
  if (!set) {
    throw new BuilderError(`unknown view set "${model.viewSet}"`);
  }
  const instance = model.instance?.trim();
  if (!instance && !set.global) {
    throw new BuilderError(`${set.name} has no global instance: give a ${set.instance}`);
  }
  const source = instance ? `view_instance(${quote(set.name)}, ${quote(instance)})` : set.name;
  const columns = (model.columns ?? []).map((c) => c.trim()).filter(Boolean);
  const filter = model.filter?.trim();
  const lines = [
    `SELECT ${columns.length > 0 ? columns.map(identifier).join(', ') : '*'}`,
    `FROM ${source}`,
    `WHERE $__timeFilter(${identifier(set.timeColumn)})${filter ? ` AND (${filter})` : ''}`,
    `ORDER BY ${identifier(set.timeColumn)} DESC`,
  ];
  if (model.limit && model.limit > 0) {
    lines.push(`LIMIT ${Math.floor(model.limit)}`);
  }
  return lines.join('\n');
}
