/**
 * The `lakehouse_partitions` table: which Parquet files make up each view instance. An instance's
 * partitions never overlap in insert time; replacing partitions and expiring the files they
 * replace happen in one transaction.
 */
import type { MetadataStore, SqlExecutor } from '../lake/metadata/store.js';
import type { PartitionRow } from './catalog.js';

/** How long a replaced file stays readable for queries that listed it before the replacement. */
export const EXPIRED_FILE_GRACE_SECONDS = 300;
/** How long a published file may wait to be recorded before the sweep takes it for an orphan. */
const UNRECORDED_FILE_GRACE_SECONDS = 3600;

export interface StoredPartition extends PartitionRow {
  /** '' for a partition with no rows (then `has_file` is false). */
  file_path: string;
  has_file: boolean;
  carry: unknown;
  /** Bounds in ms since the epoch, floored / ceiled from the stored microseconds. */
  min_event_ms: number;
  max_event_ms: number;
}

export interface NewPartition {
  viewSet: string;
  instanceId: string;
  beginInsert: Date;
  endInsert: Date;
  /** Nanoseconds since the epoch; the insert range's bounds when there are no rows. */
  minEventNs: bigint;
  maxEventNs: bigint;
  filePath: string | null;
  fileSize: number;
  fileSchemaHash: string;
  sourceDataHash: string;
  numRows: number;
  carry: unknown;
}

const COLUMNS = `view_set_name, view_instance_id, begin_insert_time, end_insert_time, min_event_time, max_event_time,
  updated, coalesce(file_path, '') AS file_path, file_path IS NOT NULL AS has_file, file_size, file_schema_hash,
  source_data_hash, num_rows, carry,
  floor(extract(epoch FROM min_event_time) * 1000)::int8 AS min_event_ms,
  ceil(extract(epoch FROM max_event_time) * 1000)::int8 AS max_event_ms`;

type Row = Omit<StoredPartition, 'file_size' | 'num_rows' | 'min_event_ms' | 'max_event_ms'> & {
  file_size: number | bigint; num_rows: number | bigint; min_event_ms: number | bigint | string; max_event_ms: number | bigint | string;
};

function toPartition(r: Row): StoredPartition {
  return { ...r, file_size: Number(r.file_size), num_rows: Number(r.num_rows), min_event_ms: Number(r.min_event_ms), max_event_ms: Number(r.max_event_ms) };
}

/** timestamptz text for nanoseconds, rounded down (`up`: rounded up) to microseconds. */
function micros(ns: bigint, up: boolean): string {
  const us = ns / 1000n + (up && ns % 1000n > 0n ? 1n : 0n) - (!up && ns < 0n && ns % 1000n !== 0n ? 1n : 0n);
  const ms = us / 1000n - (us < 0n && us % 1000n !== 0n ? 1n : 0n);
  const fraction = (us - ms * 1000n).toString().padStart(3, '0');
  return `${new Date(Number(ms)).toISOString().slice(0, 23)}${fraction}Z`;
}

export class PartitionIndex {
  constructor(private readonly db: MetadataStore) {}

  /**
   * Lists a file about to be published as expired an hour from now: should the build die before
   * `upsert` records it, the sweep deletes it then instead of leaving it in the store forever.
   */
  async reserve(filePath: string): Promise<void> {
    await this.db.query(
      `INSERT INTO lakehouse_expired_files (file_path, expiration) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT (file_path) DO UPDATE SET expiration = EXCLUDED.expiration`,
      [filePath, UNRECORDED_FILE_GRACE_SECONDS]);
  }

  /** Partitions of one instance whose insert range starts in [begin, end) (all when omitted). */
  async ofInstance(viewSet: string, instanceId: string, begin?: Date, end?: Date): Promise<StoredPartition[]> {
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM lakehouse_partitions
       WHERE view_set_name = $1 AND view_instance_id = $2
         AND ($3::timestamptz IS NULL OR begin_insert_time >= $3) AND ($4::timestamptz IS NULL OR begin_insert_time < $4)
       ORDER BY begin_insert_time`,
      [viewSet, instanceId, begin ?? null, end ?? null]);
    return rows.map(toPartition);
  }

  /** Partitions of one instance whose insert range meets [begin, end), whatever their width. */
  async meetingInserts(viewSet: string, instanceId: string, begin: Date, end: Date): Promise<StoredPartition[]> {
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM lakehouse_partitions
       WHERE view_set_name = $1 AND view_instance_id = $2 AND begin_insert_time < $4 AND end_insert_time > $3
       ORDER BY begin_insert_time`,
      [viewSet, instanceId, begin, end]);
    return rows.map(toPartition);
  }

  /** Partitions with rows whose event times meet [begin, end). */
  async overlapping(viewSet: string, instanceId: string, begin?: Date, end?: Date): Promise<StoredPartition[]> {
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM lakehouse_partitions
       WHERE view_set_name = $1 AND view_instance_id = $2 AND file_path IS NOT NULL
         AND ($3::timestamptz IS NULL OR max_event_time >= $3) AND ($4::timestamptz IS NULL OR min_event_time < $4)
       ORDER BY begin_insert_time`,
      [viewSet, instanceId, begin ?? null, end ?? null]);
    return rows.map(toPartition);
  }

  async all(): Promise<StoredPartition[]> {
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM lakehouse_partitions ORDER BY view_set_name, view_instance_id, begin_insert_time`);
    return rows.map(toPartition);
  }

  /**
   * Records `p`, replacing the partitions inside its insert range (their files are expired): a
   * partition only ever gives way to one standing for all of its sources, so rows never go missing
   * between two queries. When another writer meanwhile recorded a partition reaching outside `p`'s
   * range, `p` lost the race: it is not recorded (its file is expired) and false is returned.
   */
  async upsert(p: NewPartition): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Writers of one instance take turns: the check below and the insert must see the same partitions.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`lakehouse_partitions|${p.viewSet}|${p.instanceId}`]);
      const meeting = await tx.query<{ inside: boolean }>(
        `SELECT begin_insert_time >= $3 AND end_insert_time <= $4 AS inside FROM lakehouse_partitions
         WHERE view_set_name = $1 AND view_instance_id = $2 AND begin_insert_time < $4 AND end_insert_time > $3`,
        [p.viewSet, p.instanceId, p.beginInsert, p.endInsert]);
      if (meeting.some((m) => !m.inside)) {
        await expire(tx, p.filePath === null ? [] : [p.filePath]);
        return false;
      }
      const replaced = await tx.query<{ file_path: string | null }>(
        `DELETE FROM lakehouse_partitions
         WHERE view_set_name = $1 AND view_instance_id = $2 AND begin_insert_time >= $3 AND end_insert_time <= $4
         RETURNING file_path`,
        [p.viewSet, p.instanceId, p.beginInsert, p.endInsert]);
      await tx.query(
        `INSERT INTO lakehouse_partitions (view_set_name, view_instance_id, begin_insert_time, end_insert_time, min_event_time,
           max_event_time, updated, file_path, file_size, file_schema_hash, source_data_hash, num_rows, carry)
         VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9, $10, $11, $12)`,
        [p.viewSet, p.instanceId, p.beginInsert, p.endInsert, micros(p.minEventNs, false), micros(p.maxEventNs, true),
          p.filePath, p.fileSize, p.fileSchemaHash, p.sourceDataHash, p.numRows, p.carry === undefined ? null : JSON.stringify(p.carry)]);
      await expire(tx, replaced.flatMap((r) => (r.file_path !== null && r.file_path !== p.filePath ? [r.file_path] : [])));
      if (p.filePath !== null) await tx.query('DELETE FROM lakehouse_expired_files WHERE file_path = $1', [p.filePath]);
      return true;
    });
  }

  /** Removes the instance's partitions whose insert range lies in [begin, end); their files are expired. */
  async retire(viewSet: string, instanceId: string, begin: Date, end: Date): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ file_path: string | null }>(
        `DELETE FROM lakehouse_partitions
         WHERE view_set_name = $1 AND view_instance_id = $2 AND begin_insert_time >= $3 AND end_insert_time <= $4
         RETURNING file_path`,
        [viewSet, instanceId, begin, end]);
      await expire(tx, rows.flatMap((r) => (r.file_path === null ? [] : [r.file_path])));
      return rows.length;
    });
  }

}

async function expire(tx: SqlExecutor, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await tx.query(
    `INSERT INTO lakehouse_expired_files (file_path, expiration)
     SELECT unnest($1::text[]), now() + make_interval(secs => $2)
     ON CONFLICT (file_path) DO UPDATE SET expiration = least(lakehouse_expired_files.expiration, EXCLUDED.expiration)`,
    [[...paths], EXPIRED_FILE_GRACE_SECONDS]);
}
