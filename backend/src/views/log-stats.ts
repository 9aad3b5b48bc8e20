/**
 * log_stats: log counts per minute, process, level and target, computed by SQL from the global
 * log_entries partitions, one log_stats partition per log_entries partition (same insert range;
 * rebuilt when that partition is). A minute whose logs were inserted in two segments appears in
 * both partitions: sum `count` when grouping.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TimeRange } from '../query/engine.js';
import type { MaterializedSet } from './materialized-set.js';
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import { PartitionFiles } from './partition-files.js';
import { quoteLiteral, type ParquetWriter } from './parquet-writer.js';
import { logStatsSchema } from './schemas.js';
import { PartitionBuildError } from './errors.js';

const SELECT = (path: string): string => `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, process_id, level, target, count(*)::BIGINT AS count
  FROM read_parquet(${quoteLiteral(path)}) GROUP BY ALL`;
const SCHEMA_HASH = createHash('md5').update(SELECT('')).digest('hex');

export class LogStatsSet implements MaterializedSet {
  readonly info = { name: 'log_stats', schema: logStatsSchema, hasGlobal: true, instanceKind: null, timeColumn: 'time_bin' } as const;

  constructor(
    private readonly logEntries: MaterializedSet,
    private readonly index: PartitionIndex,
    private readonly files: PartitionFiles,
    private readonly writer: ParquetWriter,
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
    try {
      const input = await this.files.localPath(source.file_path);
      await this.files.ensureScratchDir();
      const scratch = this.files.scratchPath(`${randomUUID()}.parquet`);
      const written = await this.writer.write({ tables: [], select: SELECT(input), timeColumn: 'time_bin', path: scratch });
      const key = PartitionFiles.key(this.info.name, 'global', source.begin_insert_time, source.end_insert_time, hash, SCHEMA_HASH);
      const fileSize = written.numRows > 0 ? await this.files.publish(key, scratch) : 0;
      const fallbackNs = BigInt(source.begin_insert_time.getTime()) * 1_000_000n;
      await this.index.upsert({
        viewSet: this.info.name, instanceId: 'global', beginInsert: source.begin_insert_time, endInsert: source.end_insert_time,
        minEventNs: written.minEventNs ?? fallbackNs, maxEventNs: written.maxEventNs ?? fallbackNs,
        filePath: written.numRows > 0 ? key : null, fileSize, fileSchemaHash: SCHEMA_HASH, sourceDataHash: hash,
        numRows: written.numRows, carry: null,
      });
    } catch (err) {
      throw new PartitionBuildError(this.info.name, 'global', source.begin_insert_time, err instanceof Error ? err.message : String(err), { cause: err });
    }
  }
}
