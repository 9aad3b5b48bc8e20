/**
 * log_stats: log counts per minute, process, level and target, derived from the global log_entries
 * partitions (see ./derived-set.ts); merged partitions sum their parts' counts. A minute whose logs
 * were inserted in two partitions appears in both: sum `count` when grouping. Counts of log_entries
 * by those columns and whole minutes read it instead (../query/rewrite/rollup.ts).
 */
import { derivedSchemaHash, parquetSource, type DerivedDefinition } from './derived-set.js';
import { logStatsSchema } from './schemas.js';

const SELECT = (paths: readonly string[]): string => `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, process_id, level, target, count(*)::BIGINT AS count
  FROM ${parquetSource(paths)} GROUP BY ALL`;
const MERGE = 'SELECT time_bin, process_id, level, target, sum(count) AS count FROM source GROUP BY ALL';

export const logStatsDefinition: DerivedDefinition = {
  info: {
    name: 'log_stats', schema: logStatsSchema, hasGlobal: true, instanceKind: null, timeColumn: 'time_bin', timeBinMs: 60_000,
    rollup: { source: 'log_entries', dimensions: ['process_id', 'level', 'target'], count: 'count' },
  },
  select: SELECT,
  mergeSql: MERGE,
  schemaHash: derivedSchemaHash(SELECT, MERGE),
  binsSourceTime: true,
};
