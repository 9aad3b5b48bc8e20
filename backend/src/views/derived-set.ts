/**
 * A global view set computed by SQL from another global view set's partitions, one partition per
 * source partition (same insert range; rebuilt when that partition is, so the scheduler's merges
 * of the source into wider partitions are followed by recomputing the wider derived partition,
 * exactly). Rows of one event-time bin inserted in two segments appear in both partitions:
 * aggregate them again when querying (e.g. sum a count).
 */
import type { TimeRange } from '../../query/engine.js';
import type { ViewSetInfo } from '../catalog.js';
import type { MaterializedSet } from '../materialized-set.js';
import type { PartitionIndex, StoredPartition } from '../partition-index.js';
import type { PartitionFiles } from '../partition-files.js';
import type { PartitionBuilder } from '../partition-builder.js';

export interface DerivedSetDeps {
  source: MaterializedSet;
  index: PartitionIndex;
  files: PartitionFiles;
  builder: PartitionBuilder;
}

export class DerivedSet implements MaterializedSet {
  constructor(
    readonly info: ViewSetInfo,
    /** The SELECT giving the partition's rows from one local source Parquet file. */
    private readonly select: (sourcePath: string) => string,
    /** Changes whenever `select` would: partitions built with another one are rebuilt. */
    private readonly schemaHash: string,
    private readonly deps: DerivedSetDeps,
  ) {}

  get #sourceName(): string {
    return this.deps.source.info.name;
  }

  async refresh(_instanceId: string, range: TimeRange): Promise<void> {
    await this.deps.source.refresh('global', range);
    await this.#derive(await this.deps.index.overlapping(this.#sourceName, 'global', range.begin, range.end));
  }

  async materialize(begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    await this.deps.source.materialize(begin, end, deltaSeconds);
    return this.#derive((await this.deps.index.ofInstance(this.#sourceName, 'global', begin, end)).filter((p) => p.has_file));
  }

  async #derive(sources: readonly StoredPartition[]): Promise<number> {
    if (sources.length === 0) return 0;
    const first = sources[0]!.begin_insert_time;
    const last = new Date(sources.at(-1)!.begin_insert_time.getTime() + 1);
    const existing = new Map((await this.deps.index.ofInstance(this.info.name, 'global', first, last)).map((p) => [p.begin_insert_time.getTime(), p]));
    let built = 0;
    for (const source of sources) {
      const hash = `${source.source_data_hash}:${source.file_schema_hash}`;
      const current = existing.get(source.begin_insert_time.getTime());
      if (current?.source_data_hash === hash && current.file_schema_hash === this.schemaHash) continue;
      await this.#build(source, hash);
      built++;
    }
    return built;
  }

  async #build(source: StoredPartition, hash: string): Promise<void> {
    await this.deps.builder.build(this.info.name, 'global', source.begin_insert_time, async () => ({
      viewSet: this.info.name, instanceId: 'global', beginInsert: source.begin_insert_time, endInsert: source.end_insert_time,
      tables: [], select: this.select(await this.deps.files.localPath(source.file_path)), timeColumn: this.info.timeColumn,
      sourceHash: hash, schemaHash: this.schemaHash,
    }));
  }
}
