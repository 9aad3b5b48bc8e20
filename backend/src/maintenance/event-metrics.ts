/**
 * The scheduler's events as metrics of the backend's own telemetry, so that a dashboard can chart
 * what maintenance does. The recorder is the service context's (`@micromegas/tracing` itself, in
 * `micromegas start`).
 */
import type { MetricsRecorder } from '../service/self-telemetry.js';
import { isWorthRecording, type MaintenanceEvent } from './events.js';

/** An `onEvent` handler recording each task's work (count, rows, bytes) and duration; nothing for idle work. */
export function recordEventMetrics(recorder: MetricsRecorder): (event: MaintenanceEvent) => void {
  return (e) => {
    if (!isWorthRecording(e)) return;
    switch (e.kind) {
      case 'leadership':
        recorder.imetric('maintenance_leader', 'bool', e.leader ? 1 : 0);
        break;
      case 'materialize': {
        const task = { task: 'materialize', schedule: e.schedule, view_set: e.viewSet };
        recorder.imetric('maintenance_partitions_built', 'count', e.partitions, task);
        recorder.imetric('maintenance_partition_rows', 'count', e.rows, task);
        recorder.fmetric('maintenance_task_duration', 'seconds', e.seconds, task);
        break;
      }
      case 'sweep':
        recorder.imetric('maintenance_files_deleted', 'count', e.files, { task: 'sweep' });
        recorder.fmetric('maintenance_task_duration', 'seconds', e.seconds, { task: 'sweep' });
        break;
      case 'retention': {
        const task = { task: 'retention' };
        recorder.imetric('maintenance_blocks_deleted', 'count', e.report.blocks, task);
        recorder.imetric('maintenance_bytes_deleted', 'bytes', e.report.blockBytes + e.report.partitionBytes, task);
        recorder.imetric('maintenance_partitions_retired', 'count', e.report.partitions, task);
        recorder.imetric('maintenance_files_deleted', 'count', e.report.files, task);
        recorder.fmetric('maintenance_task_duration', 'seconds', e.seconds, task);
        break;
      }
      case 'tail_sampling': {
        const task = { task: 'tail_sampling' };
        recorder.imetric('maintenance_blocks_deleted', 'count', e.report.blocks, task);
        recorder.imetric('maintenance_bytes_deleted', 'bytes', e.report.bytes, task);
        recorder.imetric('maintenance_processes_dropped', 'count', e.report.dropped, task);
        recorder.fmetric('maintenance_task_duration', 'seconds', e.seconds, task);
        break;
      }
      case 'vacuum': {
        const task = { task: 'vacuum' };
        recorder.imetric('maintenance_tables_vacuumed', 'count', e.report.vacuumed.length, task);
        recorder.imetric('maintenance_tables_analyzed', 'count', e.report.analyzed.length, task);
        recorder.imetric('maintenance_dead_tuples', 'count', e.report.deadTuples, task);
        if (e.report.frozeDatabaseAt !== undefined) recorder.imetric('maintenance_frozen_xid_age', 'count', e.report.frozeDatabaseAt, task);
        recorder.fmetric('maintenance_task_duration', 'seconds', e.seconds, task);
        break;
      }
      case 'failed': {
        // Labelled like the task's other metrics, so a failure lines up with its durations.
        const task = e.task === 'materialize' ? { task: e.task, schedule: e.schedule, view_set: e.viewSet } : { task: e.task };
        recorder.imetric('maintenance_task_failures', 'count', 1, task);
        recorder.fmetric('maintenance_task_duration', 'seconds', e.seconds, task);
        break;
      }
    }
  };
}
