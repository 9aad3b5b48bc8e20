/**
 * The vacuum chore against the partition churn of the scheduler (7 view sets: a one-second partition
 * each per second, merged into a minute partition each minute, the minute before the last retired as an
 * hour merge would; replaced files swept a minute later), on a lake already holding 90 days of
 * day partitions and a day of hour partitions. VACUUM_MINUTES (default 15) simulated minutes without
 * the chore, then with it after each minute, on each of VACUUM_METADATA (postgres,pglite): table
 * sizes and dead rows at the end, and the chore's cost per run (wall time, and CPU of the process
 * that runs it: PGlite's is this one, PostgreSQL's the one backend of a one-connection pool).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import { TEST_POSTGRES_URL } from '@micromegas/backend/lake/metadata/test-stores';
import { PartitionIndex } from '@micromegas/backend/views/partition-index';
import { churnMinute } from '../tests/partition-churn.js';
import { tableActivity, vacuumMetadata } from '@micromegas/backend/maintenance/vacuum/vacuum';
import { processCpuSeconds } from './proc-stats.js';

const MINUTES = Number(process.env['VACUUM_MINUTES'] ?? 15);
const METADATA = (process.env['VACUUM_METADATA'] ?? 'postgres,pglite').split(',') as ('postgres' | 'pglite')[];
const VIEW_SETS = ['blocks', 'processes', 'streams', 'log_entries', 'measures', 'otel_spans', 'log_stats'];
const DAY = 86_400_000;
/** Midnight, 91 days before the simulated minutes: the history ends where they begin. */
const T0 = Math.floor(Date.now() / DAY) * DAY - 91 * DAY;
const CHURN_START = T0 + 91 * DAY;

interface Store {
  db: MetadataStore;
  /** CPU seconds so far of whatever runs its statements. */
  cpu(): Promise<number>;
  close(): Promise<void>;
}

async function openStore(kind: 'postgres' | 'pglite'): Promise<Store> {
  if (kind === 'pglite') {
    const db = await openMetadataStore({ kind });
    return { db, cpu: async () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }, close: () => db.close() };
  }
  const schema = `vacuum_${randomBytes(4).toString('hex')}`;
  const db = await openMetadataStore({ kind, connectionString: TEST_POSTGRES_URL, schema, poolSize: 1 });
  const [backend] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return {
    db, cpu: () => processCpuSeconds(backend!.pid),
    async close() {
      await db.close();
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** 90 days of day partitions and a day of hour partitions per view set. */
async function seedHistory(db: MetadataStore): Promise<void> {
  await db.query(
    `INSERT INTO lakehouse_partitions (view_set_name, view_instance_id, begin_insert_time, end_insert_time, min_event_time, max_event_time,
       file_path, file_size, file_schema_hash, source_data_hash, num_rows)
     SELECT v, 'global', b, b + w, b, b + w, 'views/' || v || '/' || extract(epoch FROM b)::text || '.parquet', 1e8, 's', 'h', 1e6
     FROM unnest($1::text[]) AS v,
       LATERAL (SELECT to_timestamp($2::float8 / 1000) + d * interval '1 day' AS b, interval '1 day' AS w FROM generate_series(0, 89) AS d
         UNION ALL SELECT to_timestamp($2::float8 / 1000) + interval '90 days' + h * interval '1 hour', interval '1 hour' FROM generate_series(0, 23) AS h) AS p`,
    [VIEW_SETS, T0]);
}

async function sizes(db: MetadataStore) {
  const [row] = await db.query<{ partitions: number; expired: number; rows: number }>(
    `SELECT pg_total_relation_size('lakehouse_partitions') AS partitions, pg_total_relation_size('lakehouse_expired_files') AS expired,
       (SELECT count(*) FROM lakehouse_partitions)::int8 AS rows`);
  return { partitionsKiB: Math.round(Number(row!.partitions) / 1024), expiredKiB: Math.round(Number(row!.expired) / 1024), partitionRows: Number(row!.rows) };
}

/**
 * Pages of lakehouse_partitions (heap and indexes) read by one query that the scheduler and every
 * dashboard statement make, the partitions of an instance meeting an insert range: what dead rows
 * cost a reader, counted rather than timed (the machine is shared).
 */
async function lookupPages(db: MetadataStore): Promise<number> {
  const pages = async () => {
    await db.query('SELECT pg_stat_force_next_flush()');
    const [row] = await db.query<{ pages: number }>(
      `SELECT (heap_blks_hit + heap_blks_read + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0))::int8 AS pages
       FROM pg_statio_user_tables WHERE relid = to_regclass('lakehouse_partitions')`);
    return Number(row!.pages);
  };
  const LOOKUPS = 70;
  const before = await pages();
  const index = new PartitionIndex(db);
  for (let i = 0; i < LOOKUPS; i++) {
    await index.meetingInserts(VIEW_SETS[i % VIEW_SETS.length]!, 'global', new Date(CHURN_START), new Date(CHURN_START + MINUTES * 60_000));
  }
  return ((await pages()) - before) / LOOKUPS;
}

async function measure(kind: 'postgres' | 'pglite', withChore: boolean) {
  const store = await openStore(kind);
  try {
    await seedHistory(store.db);
    if (withChore) await vacuumMetadata(store.db);
    const index = new PartitionIndex(store.db);
    const choreMs: number[] = [];
    let choreCpu = 0;
    let vacuumed = 0;
    for (let m = 0; m < MINUTES; m++) {
      const swept = (await store.db.query<{ file_path: string }>('SELECT file_path FROM lakehouse_expired_files')).map((r) => r.file_path);
      const minuteMs = CHURN_START + m * 60_000;
      await churnMinute(index, { viewSets: VIEW_SETS, minuteMs, retireMinuteMs: minuteMs - 120_000 });
      await store.db.query('DELETE FROM lakehouse_expired_files WHERE file_path = ANY($1)', [swept]);
      if (!withChore) continue;
      const cpu = await store.cpu();
      const started = performance.now();
      const report = await vacuumMetadata(store.db);
      choreMs.push(performance.now() - started);
      choreCpu += (await store.cpu()) - cpu;
      if (report.vacuumed.length > 0) vacuumed++;
    }
    const [partitions] = await tableActivity(store.db, ['lakehouse_partitions']);
    return {
      metadata: kind, chore: withChore ? 'vacuum' : 'none', minutes: MINUTES, ...(await sizes(store.db)),
      deadPartitionRows: partitions!.deadTuples, 'pages/lookup': (await lookupPages(store.db)).toFixed(1),
      'runs that vacuumed': withChore ? `${vacuumed}/${MINUTES}` : '',
      'chore ms p50/max': withChore ? `${median(choreMs).toFixed(1)} / ${Math.max(...choreMs).toFixed(1)}` : '',
      'chore CPU ms/run': withChore ? (choreCpu * 1000 / MINUTES).toFixed(1) : '',
    };
  } finally {
    await store.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function run(): Promise<void> {
  const rows = [];
  for (const kind of METADATA) for (const withChore of [false, true]) rows.push(await measure(kind, withChore));
  console.table(rows);
}
