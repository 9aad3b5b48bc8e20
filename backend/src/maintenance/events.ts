/**
 * What the scheduler reports after each task: what it did, how much, how long. The role logs them
 * one line each; anything else (a metrics sink) can subscribe the same way.
 */
import type { RetentionReport } from './retention/retention.js';
import type { TailSamplingReport } from './retention/tail-sampling.js';
import type { VacuumReport } from './vacuum/vacuum.js';
import type { Chore, ScheduleName } from './scheduler/schedules.js';

export type MaintenanceEvent =
  | { kind: 'leadership'; leader: boolean; election: string }
  | {
    kind: 'materialize'; schedule: ScheduleName; viewSet: string; begin: Date; end: Date;
    /** Partitions (re)built; 0 when the window was already up to date. */
    partitions: number;
    /** Rows in the window's partitions afterwards (0 when none was built). */
    rows: number;
    seconds: number;
    /** The window held only the backend's own telemetry (or nothing): not worth telemetry of its own. */
    quiet: boolean;
  }
  | { kind: 'sweep'; files: number; seconds: number }
  | { kind: 'retention'; report: RetentionReport; seconds: number }
  | { kind: 'tail_sampling'; report: TailSamplingReport; seconds: number }
  | { kind: 'vacuum'; report: VacuumReport; seconds: number }
  | ({ kind: 'failed'; error: Error; seconds: number } & FailedTask);

/** What failed: a view set's materialization in a schedule, or a chore. */
export type FailedTask = { task: 'materialize'; schedule: ScheduleName; viewSet: string } | { task: Chore };

const time = (d: Date) => d.toISOString();
const secs = (s: number) => `${s.toFixed(3)} s`;

/** One log line per event. */
export function formatEvent(e: MaintenanceEvent): string {
  switch (e.kind) {
    case 'leadership':
      return e.leader ? `maintenance: leading (${e.election})` : `maintenance: standing by (${e.election} is held by another instance)`;
    case 'materialize':
      return `maintenance: ${e.schedule} ${e.viewSet} [${time(e.begin)}, ${time(e.end)}): ${e.partitions} partitions built, ${e.rows} rows, ${secs(e.seconds)}`;
    case 'sweep':
      return `maintenance: deleted ${e.files} expired files, ${secs(e.seconds)}`;
    case 'retention': {
      const r = e.report;
      return `maintenance: retention before ${time(r.cutoff)}: ${r.blocks} blocks (${r.blockBytes} bytes), ${r.streams} streams, `
        + `${r.processes} processes, ${r.partitions} partitions (${r.partitionBytes} bytes), ${r.files} files, ${secs(e.seconds)}`;
    }
    case 'tail_sampling': {
      const r = e.report;
      return `maintenance: tail sampling: ${r.candidates} processes judged, ${r.kept} kept, ${r.dropped} dropped `
        + `(${r.blocks} span blocks, ${r.bytes} bytes, ${r.partitions} partitions), ${secs(e.seconds)}`;
    }
    case 'vacuum': {
      const r = e.report;
      const list = (tables: string[]) => (tables.length === 0 ? 'none' : tables.join(', '));
      const froze = r.frozeDatabaseAt === undefined ? '' : `froze the whole database (oldest transaction id ${r.frozeDatabaseAt} old), `;
      return `maintenance: ${froze}vacuumed ${list(r.vacuumed)} (${r.deadTuples} dead tuples), analyzed ${list(r.analyzed)}, ${secs(e.seconds)}`;
    }
    case 'failed':
      return `maintenance: ${e.task === 'materialize' ? `${e.schedule} ${e.viewSet}` : e.task} failed after ${secs(e.seconds)}: ${e.error.message}`;
  }
}

/**
 * Whether an event goes to the backend's own telemetry (log lines, metrics): not a task that did
 * nothing, nor a materialization of a window that held only that telemetry — recording it would make
 * new telemetry for the next tick to process, so that an idle server would never be idle. A vacuum
 * pass that only ran ANALYZE is not recorded either: at idle the tables it analyzes change by the
 * partitions and packs of the backend's own telemetry alone (the hourly retention line's), and
 * recording the ANALYZE they called for made a pack and ten partition files more each hour.
 * Retention is recorded even when it deleted nothing: once an hour, and its dashboard shows that it ran.
 */
export function isWorthRecording(e: MaintenanceEvent): boolean {
  if (e.kind === 'materialize') return e.partitions > 0 && !e.quiet;
  if (e.kind === 'sweep') return e.files > 0;
  if (e.kind === 'vacuum') return e.report.frozeDatabaseAt !== undefined || e.report.vacuumed.length > 0;
  return true;
}

/** A line of a tick's log, with how loud it is. */
export interface TickLine {
  /** warn: a failed task (the next tick of its schedule retries it); debug: the every-second work. */
  level: 'info' | 'warn' | 'debug';
  text: string;
}

/**
 * A tick's log lines: one per schedule that built something (its view sets, partitions and rows),
 * one per other event; nothing for work that found everything up to date, nor for work on the
 * backend's own telemetry alone (see `isWorthRecording`).
 */
export function tickLines(events: readonly MaintenanceEvent[]): TickLine[] {
  const lines: TickLine[] = [];
  const built = new Map<ScheduleName, Extract<MaintenanceEvent, { kind: 'materialize' }>[]>();
  for (const e of events) {
    if (!isWorthRecording(e)) continue;
    if (e.kind === 'materialize') {
      built.set(e.schedule, [...(built.get(e.schedule) ?? []), e]);
    } else {
      lines.push({ level: e.kind === 'failed' ? 'warn' : 'info', text: formatEvent(e) });
    }
  }
  for (const [schedule, done] of built) {
    const { begin, end } = done[0]!;
    const sets = done.map((e) => `${e.viewSet} ${e.partitions} (${e.rows} rows)`).join(', ');
    const seconds = done.reduce((sum, e) => sum + e.seconds, 0);
    lines.push({
      level: schedule === 'second' ? 'debug' : 'info',
      text: `maintenance: ${schedule} [${time(begin)}, ${time(end)}): built ${sets}, ${secs(seconds)}`,
    });
  }
  return lines;
}
