import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tickLines, type MaintenanceEvent } from './events.js';

const begin = new Date('2026-11-23T12:00:01Z');
const end = new Date('2026-11-23T12:00:02Z');
const materialize = (viewSet: string, partitions: number, rows: number, quiet = false): MaintenanceEvent =>
  ({ kind: 'materialize', schedule: 'second', viewSet, begin, end, partitions, rows, seconds: 0.25, quiet });

test('a tick logs one line per schedule that built something (the every-second one at debug level), and nothing for up-to-date work', () => {
  const lines = tickLines([
    materialize('blocks', 0, 0),
    materialize('log_entries', 1, 9),
    materialize('log_stats', 1, 2),
    { kind: 'sweep', files: 0, seconds: 0.001 },
    { kind: 'failed', task: 'materialize', schedule: 'minute', viewSet: 'measures', error: new Error('disk full'), seconds: 0.5 },
  ]);
  assert.deepEqual(lines, [
    { level: 'warn', text: 'maintenance: minute measures failed after 0.500 s: disk full' },
    { level: 'debug', text: 'maintenance: second [2026-11-23T12:00:01.000Z, 2026-11-23T12:00:02.000Z): built log_entries 1 (9 rows), log_stats 1 (2 rows), 0.500 s' },
  ]);
  const minute = { ...materialize('log_entries', 1, 9), schedule: 'minute' } as MaintenanceEvent;
  assert.deepEqual(tickLines([minute, { kind: 'leadership', leader: true, election: 'lease' }]).map((l) => l.level), ['info', 'info'],
    'merges and leadership changes are worth a line at the default level');
  assert.deepEqual(tickLines([materialize('blocks', 0, 0), { kind: 'sweep', files: 0, seconds: 0 }]), []);
});

test('work on the backend\'s own telemetry alone logs nothing: logging it would make more of it', () => {
  const minute = { ...materialize('measures', 1, 40, true), schedule: 'minute' } as MaintenanceEvent;
  assert.deepEqual(tickLines([materialize('log_entries', 1, 9, true), minute]), []);
});

test('a vacuum pass that only analyzed logs nothing; one that vacuumed, and retention even when it deleted nothing, log a line', () => {
  const vacuum = (vacuumed: string[], analyzed: string[]): MaintenanceEvent => ({
    kind: 'vacuum', seconds: 0.004, report: { frozeDatabaseAt: undefined, vacuumed, analyzed, deadTuples: vacuumed.length * 60 },
  });
  const retention: MaintenanceEvent = {
    kind: 'retention', seconds: 0.01,
    report: { cutoff: new Date('2026-08-25T12:00:00Z'), dryRun: false, blocks: 0, blockBytes: 0, streams: 0, processes: 0, partitions: 0, partitionBytes: 0, files: 0 },
  };
  assert.deepEqual(tickLines([vacuum([], ['lakehouse_expired_files'])]), []);
  assert.deepEqual(tickLines([vacuum(['lakehouse_partitions'], ['lakehouse_partitions']), retention]).map((l) => l.text), [
    'maintenance: vacuumed lakehouse_partitions (60 dead tuples), analyzed lakehouse_partitions, 0.004 s',
    'maintenance: retention before 2026-08-25T12:00:00.000Z: 0 blocks (0 bytes), 0 streams, 0 processes, 0 partitions (0 bytes), 0 files, 0.010 s',
  ]);
});
