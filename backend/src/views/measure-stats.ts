/**
 * measure_stats (ours, not micromegas'): count, sum, min and max of the measures' values per second,
 * process (with its exe, for panels by executable), target, name and unit, derived from the global
 * measures partitions (see ./derived-set.ts) so that a metric panel over minutes reads thousands of
 * rows instead of millions. Merged partitions
 * sum counts and sums and keep the least minimum and greatest maximum. A second whose measures were
 * inserted in two partitions appears in both: aggregate again when grouping (sum(count), sum(sum),
 * min(min), max(max); an average is sum(sum) / sum(count)). Queries aggregating measures that way
 * read it instead where that gives the same answer (../query/rewrite/rollup.ts).
 */
import { derivedSchemaHash, parquetSource, type DerivedDefinition } from './derived-set.js';
import { measureStatsSchema } from './schemas.js';

const SELECT = (paths: readonly string[]): string => `SELECT time_bucket(INTERVAL 1 second, time) AS time_bin, process_id, exe, target, name, unit,
  count(*)::BIGINT AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
  FROM ${parquetSource(paths)} GROUP BY ALL`;
const MERGE = `SELECT time_bin, process_id, exe, target, name, unit, sum(count) AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max
  FROM source GROUP BY ALL`;

export const measureStatsDefinition: DerivedDefinition = {
  info: {
    name: 'measure_stats', schema: measureStatsSchema, hasGlobal: true, instanceKind: null, timeColumn: 'time_bin', timeBinMs: 1000,
    rollup: {
      source: 'measures', dimensions: ['process_id', 'exe', 'target', 'name', 'unit'], count: 'count',
      measure: { column: 'value', sum: 'sum', min: 'min', max: 'max' },
    },
  },
  select: SELECT,
  mergeSql: MERGE,
  schemaHash: derivedSchemaHash(SELECT, MERGE),
  binsSourceTime: true,
};
