/**
 * log_stats: log counts per minute, process, level and target, computed by SQL from the global
 * log_entries partitions, one log_stats partition per log_entries partition (same insert range;
 * rebuilt when that partition is). A minute whose logs were inserted in two segments appears in
 * both partitions: sum `count` when grouping.
 */
import { createHash } from 'node:crypto';
import type { TimeRange } from '../query/engine.js';
import type { MaterializedSet } from './materialized-set.js';
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import type { PartitionFiles } from './partition-files.js';
import type { PartitionBuilder } from './partition-builder.js';
import { quoteLiteral } from './parquet-writer.js';
import { logStatsSchema } from './schemas.js';

const SELECT = (path: string): string => `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, process_id, level, target, count(*)::BIGINT AS count
  FROM read_parquet(${quoteLiteral(path)}) GROUP BY ALL`;
const SCHEMA_HASH = createHash('md5').update(SELECT('')).digest('hex');

export class LogStatsSet implements MaterializedSet {
  readonly info = { name: 'log_stats', schema: logStatsSchema, hasGlobal: true, instanceKind: null, timeColumn: 'time_bin' } as const;

  constructor(
    private readonly logEntries: MaterializedSet,
    private readonly index: PartitionIndex,
    private readonly files: PartitionFiles,
    private readonly builder: PartitionBuilder,
  ) {}

  async refresh(_instanceId: string, range: TimeRange): Promise<void> {
    await this.logEntries.refresh('global', range);
    await this.#derive(await this.index.overlapping('log_entries', 'global', range.begin, range.end));
  }

  async materialize(begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    await this.logEntries.materialize(begin, end, deltaSeconds);
    return this.#derive((await this.index.ofInstance('log_entries', 'global', begin, end)).filter((p) => p.has_file));
  }

  async #derive(sources: readonly StoredPartition[]): Promise<number> {
    if (sources.length === 0) return 0;
    const first = sources[0]!.begin_insert_time;
    const last = new Date(sources.at(-1)!.begin_insert_time.getTime() + 1);
    const existing = new Map((await this.index.ofInstance(this.info.name, 'global', first, last)).map((p) => [p.begin_insert_time.getTime(), p]));
    let built = 0;
    for (const source of sources) {
      const hash = `${source.source_data_hash}:${source.file_schema_hash}`;
      const current = existing.get(source.begin_insert_time.getTime());
      if (current?.source_data_hash === hash && current.file_schema_hash === SCHEMA_HASH) continue;
      await this.#build(source, hash);
      built++;
    }
    return built;
  }

  async #build(source: StoredPartition, hash: string): Promise<void> {
    await this.builder.build(this.info.name, 'global', source.begin_insert_time, async () => ({
      viewSet: this.info.name, instanceId: 'global', beginInsert: source.begin_insert_time, endInsert: source.end_insert_time,
      tables: [], select: SELECT(await this.files.localPath(source.file_path)), timeColumn: this.info.timeColumn,
      sourceHash: hash, schemaHash: SCHEMA_HASH,
    }));
  }
}
