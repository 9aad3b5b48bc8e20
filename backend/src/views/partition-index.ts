/**
 * The `lakehouse_partitions` table: which Parquet files make up each view instance. Replacing a
 * partition and expiring the file it replaces happen in one transaction; the primary key
 * (view set, instance, begin_insert_time) keeps concurrent builders from ever listing two.
 */
import type { MetadataStore, SqlExecutor } from '../lake/metadata/store.js';
import type { PartitionRow } from './catalog.js';

/** How long a replaced file stays readable for queries that listed it before the replacement. */
export const EXPIRED_FILE_GRACE_SECONDS = 300;

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

  /** Records `p`, replacing the partition with the same key; the replaced file is expired. */
  async upsert(p: NewPartition): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [old] = await tx.query<{ file_path: string | null }>(
        `SELECT file_path FROM lakehouse_partitions WHERE view_set_name = $1 AND view_instance_id = $2 AND begin_insert_time = $3 FOR UPDATE`,
        [p.viewSet, p.instanceId, p.beginInsert]);
      await tx.query(
        `INSERT INTO lakehouse_partitions (view_set_name, view_instance_id, begin_insert_time, end_insert_time, min_event_time,
           max_event_time, updated, file_path, file_size, file_schema_hash, source_data_hash, num_rows, carry)
         VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9, $10, $11, $12)
         ON CONFLICT (view_set_name, view_instance_id, begin_insert_time) DO UPDATE SET
           end_insert_time = EXCLUDED.end_insert_time, min_event_time = EXCLUDED.min_event_time,
           max_event_time = EXCLUDED.max_event_time, updated = now(), file_path = EXCLUDED.file_path,
           file_size = EXCLUDED.file_size, file_schema_hash = EXCLUDED.file_schema_hash,
           source_data_hash = EXCLUDED.source_data_hash, num_rows = EXCLUDED.num_rows, carry = EXCLUDED.carry`,
        [p.viewSet, p.instanceId, p.beginInsert, p.endInsert, micros(p.minEventNs, false), micros(p.maxEventNs, true),
          p.filePath, p.fileSize, p.fileSchemaHash, p.sourceDataHash, p.numRows, p.carry === undefined ? null : JSON.stringify(p.carry)]);
      // A partition of another width over the same inserts would duplicate rows: it goes.
      const overlapped = await tx.query<{ file_path: string | null }>(
        `DELETE FROM lakehouse_partitions
         WHERE view_set_name = $1 AND view_instance_id = $2 AND begin_insert_time <> $3
           AND begin_insert_time < $4 AND end_insert_time > $3
         RETURNING file_path`,
        [p.viewSet, p.instanceId, p.beginInsert, p.endInsert]);
      const replaced = [old, ...overlapped].flatMap((r) => (r?.file_path != null && r.file_path !== p.filePath ? [r.file_path] : []));
      await expire(tx, replaced);
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

  /** Takes the expired files whose grace period is over off the list and returns them for deletion. */
  async takeExpiredFiles(now = new Date()): Promise<string[]> {
    const rows = await this.db.query<{ file_path: string }>(
      'DELETE FROM lakehouse_expired_files WHERE expiration <= $1 RETURNING file_path', [now]);
    return rows.map((r) => r.file_path);
  }
}

async function expire(tx: SqlExecutor, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await tx.query(
    `INSERT INTO lakehouse_expired_files (file_path, expiration)
     SELECT unnest($1::text[]), now() + make_interval(secs => $2) ON CONFLICT (file_path) DO NOTHING`,
    [[...paths], EXPIRED_FILE_GRACE_SECONDS]);
}
