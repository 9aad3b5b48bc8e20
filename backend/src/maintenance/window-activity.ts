import type { SqlExecutor } from '../lake/metadata/store.js';

/**
 * Who inserted telemetry in an insert-time window: nobody, only the backend itself (its own
 * telemetry, e.g. the metrics of the maintenance that ran a second earlier), or other processes.
 * Work caused by the backend's own telemetry alone must not record telemetry in turn, or an idle
 * server feeds itself forever.
 */
export type WindowActivity = 'none' | 'own' | 'others';

/** `ownProcessId`: the process id of the backend's own telemetry, undefined when it records none. */
export async function windowActivity(db: SqlExecutor, begin: Date, end: Date, ownProcessId: string | undefined): Promise<WindowActivity> {
  const inWindow = 'insert_time >= $1 AND insert_time < $2';
  const anyOf = (where: string) => ['blocks', 'streams', 'processes'].map((t) => `EXISTS (SELECT 1 FROM ${t} WHERE ${where})`).join(' OR ');
  const [row] = await db.query<{ others: boolean; any: boolean }>(
    `SELECT (${anyOf(`${inWindow} AND process_id IS DISTINCT FROM $3`)}) AS others, (${anyOf(inWindow)}) AS any`,
    [begin, end, ownProcessId ?? null]);
  return row?.others ? 'others' : row?.any ? 'own' : 'none';
}
