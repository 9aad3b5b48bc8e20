/**
 * A global view set computed by SQL from another global view set's partitions (log_stats from
 * log_entries, user-defined views): one partition per source partition, over the same insert range,
 * rebuilt when that partition changes. When the scheduler merges the source's partitions into a
 * wider one, the derived partitions inside it follow by the derived set's own merge SQL (log_stats
 * sums its counts) as long as they stand for exactly the merged source partition; otherwise the
 * wider partition is computed from the merged source file.
 *
 * Partitions follow insert time while rows follow event time, so the rows of one time bin inserted
 * in two partitions appear in both: aggregate them again when querying (sum counts).
 *
 * A statement derives every source partition there is when it runs: the source already leaves its
 * newest seconds to the scheduler (./scheduled-until.ts), and a derived set that lagged its source
 * would answer for fewer rows than the source does, which a rollup (../query/rewrite/rollup.ts) must not.
 */
import { createHash } from 'node:crypto';
import type { TimeRange } from '../query/engine.js';
import type { ViewSetInfo } from './catalog.js';
import type { MaterializedSet } from './materialized-set.js';
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import type { PartitionFiles } from './partition-files.js';
import type { PartitionBuilder } from './partition-builder.js';
import type { PartitionMerger } from './partition-merger.js';
import { ROW_GROUP_ROWS, SORT_MIN_SPAN_SECONDS } from './parquet-writer.js';
import { coversSources, isSingle } from './segment-refresh.js';
import { withSuffix } from './source-hash.js';

export interface DerivedDefinition {
  info: ViewSetInfo;
  /** The SELECT giving a partition's rows from one local source Parquet file. */
  select(sourcePath: string): string;
  /** SELECT over `source` (the rows of the partitions merged) giving the merged partition's rows. */
  mergeSql: string;
  /** Changes whenever `select` or `mergeSql` would: partitions built with another are rebuilt. */
  schemaHash: string;
  /**
   * Set when each row aggregates the source rows of one bin of their event time (`info.timeBinMs`
   * wide): a partition then has at most its source's rows, and bins spanning less than the source's
   * events plus a bin, so whether the writer would sort it is known without running `select` twice.
   */
  binsSourceTime?: boolean;
}

/** The schema hash of a derived set computed by `select` and merged by `mergeSql`. */
export function derivedSchemaHash(select: (sourcePath: string) => string, mergeSql: string): string {
  return createHash('md5').update(`${select('')}\n${mergeSql}`).digest('hex');
}

export interface DerivedSetDeps {
  source: MaterializedSet;
  index: PartitionIndex;
  files: PartitionFiles;
  builder: PartitionBuilder;
  merger: PartitionMerger;
}

export class DerivedSet implements MaterializedSet {
  constructor(private readonly def: DerivedDefinition, private readonly deps: DerivedSetDeps) {}

  get info(): ViewSetInfo {
    return this.def.info;
  }

  get #sourceName(): string {
    return this.deps.source.info.name;
  }

  async refresh(_instanceId: string, range: TimeRange): Promise<void> {
    await this.deps.source.refresh('global', range);
    await this.#derive(await this.deps.index.overlapping(this.#sourceName, 'global', range.begin, range.end), false);
  }

  async materialize(begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    await this.deps.source.materialize(begin, end, deltaSeconds);
    return this.#derive((await this.deps.index.ofInstance(this.#sourceName, 'global', begin, end)).filter((p) => p.has_file), true);
  }

  /** Brings the partitions over `sources` up to date; with `merge`, one partition per source partition. */
  async #derive(sources: readonly StoredPartition[], merge: boolean): Promise<number> {
    if (sources.length === 0) return 0;
    const { index, merger } = this.deps;
    const derived = await index.meetingInserts(this.info.name, 'global', sources[0]!.begin_insert_time, sources.at(-1)!.end_insert_time);
    let built = 0;
    for (const source of sources) {
      const [begin, end] = [source.begin_insert_time, source.end_insert_time];
      const target = withSuffix(source.source_data_hash, source.file_schema_hash);
      const inner = derived.filter((p) => p.begin_insert_time >= begin && p.end_insert_time <= end);
      if (!coversSources(inner, target, this.def.schemaHash)) {
        await this.#build(source, target);
        built++;
      } else if (merge && !isSingle(inner, begin.getTime(), end.getTime())) {
        await merger.merge({ info: this.info, schemaHash: this.def.schemaHash, mergeSql: this.def.mergeSql }, 'global', inner, begin, end);
        built++;
      }
    }
    return built;
  }

  async #build(source: StoredPartition, hash: string): Promise<void> {
    await this.deps.builder.build(this.info.name, 'global', source.begin_insert_time, async () => ({
      viewSet: this.info.name, instanceId: 'global', beginInsert: source.begin_insert_time, endInsert: source.end_insert_time,
      tables: [], select: this.def.select(await this.deps.files.localPath(source.file_path)), timeColumn: this.info.timeColumn,
      rowOrder: this.#neverSorted(source) ? 'selected' : 'time', sourceHash: hash, schemaHash: this.def.schemaHash,
    }));
  }

  /** Whether the writer surely leaves the rows derived from `source` unsorted (see ./parquet-writer.ts). */
  #neverSorted(source: StoredPartition): boolean {
    const binMs = this.info.timeBinMs;
    if (this.def.binsSourceTime !== true || binMs === undefined) return false;
    return source.num_rows <= ROW_GROUP_ROWS || source.max_event_ms - source.min_event_ms + binMs <= SORT_MIN_SPAN_SECONDS * 1000;
  }
}
