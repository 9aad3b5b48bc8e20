/**
 * A global view set computed by SQL from another global view set's partitions (log_stats from
 * log_entries, user-defined views), rebuilt when they change. Its partitions follow its source's
 * insert ranges: a derived partition stands for the source partitions inside its range (its source
 * hash combines theirs, each with the source's schema), and is computed from their files. When the
 * scheduler merges a period, the derived partitions inside it are merged by the derived set's own
 * merge SQL (log_stats sums its counts), whether the source merged its partitions of the period or
 * left them as they were (a source's partitions already large enough stay apart, see
 * ./segment-refresh.ts, while its aggregates, far fewer rows, still end as one partition a period).
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
import { combineSourceHashes, withSuffix } from './source-hash.js';
import { quoteString } from '../query/sql/text.js';

export interface DerivedDefinition {
  info: ViewSetInfo;
  /** The SELECT giving a partition's rows from local source Parquet files (see `parquetSource`). */
  select(sourcePaths: readonly string[]): string;
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
export function derivedSchemaHash(select: (sourcePaths: readonly string[]) => string, mergeSql: string): string {
  return createHash('md5').update(`${select([''])}\n${mergeSql}`).digest('hex');
}

/** `read_parquet` of the source files: of one file as `read_parquet('path')`, as derived sets have always printed it. */
export function parquetSource(paths: readonly string[]): string {
  return `read_parquet(${paths.length === 1 ? quoteString(paths[0]!) : `[${paths.map(quoteString).join(', ')}]`})`;
}

export interface DerivedSetDeps {
  source: MaterializedSet;
  index: PartitionIndex;
  files: PartitionFiles;
  builder: PartitionBuilder;
  merger: PartitionMerger;
}

/** Partitions of the source and of the derived set that meet, together: no partition of either crosses its bounds. */
interface Group {
  begin: number;
  end: number;
  sources: StoredPartition[];
  derived: StoredPartition[];
}

const startOf = (p: StoredPartition): number => p.begin_insert_time.getTime();
const endOf = (p: StoredPartition): number => p.end_insert_time.getTime();

/** The partitions of both sets in groups of those meeting one another (each set's own never meet). */
function groupsOf(sources: readonly StoredPartition[], derived: readonly StoredPartition[]): Group[] {
  const all = [...sources.map((p) => ({ p, source: true })), ...derived.map((p) => ({ p, source: false }))]
    .sort((a, b) => startOf(a.p) - startOf(b.p));
  const groups: Group[] = [];
  for (const { p, source } of all) {
    let group = groups.at(-1);
    if (group === undefined || startOf(p) >= group.end) groups.push(group = { begin: startOf(p), end: endOf(p), sources: [], derived: [] });
    group.end = Math.max(group.end, endOf(p));
    (source ? group.sources : group.derived).push(p);
  }
  return groups;
}

/** What a derived partition over `sources` stands for; undefined when their schemas differ (they cannot share one). */
function derivedHash(sources: readonly StoredPartition[]): string | undefined {
  return combineSourceHashes(sources.map((s) => withSuffix(s.source_data_hash, s.file_schema_hash)));
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
    await this.#derive(await this.deps.index.overlapping(this.#sourceName, 'global', range.begin, range.end));
  }

  async materialize(begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    await this.deps.source.materialize(begin, end, deltaSeconds);
    const built = await this.#derive((await this.deps.index.ofInstance(this.#sourceName, 'global', begin, end)).filter((p) => p.has_file));
    // As the source: a second's pieces wait for the minute's merge (./segment-refresh.ts).
    return built + (deltaSeconds > 1 ? await this.#mergePeriods(begin.getTime(), end.getTime(), deltaSeconds * 1000) : 0);
  }

  /** Rebuilds what does not stand for exactly the source partitions under it, around `listed`. */
  async #derive(listed: readonly StoredPartition[]): Promise<number> {
    if (listed.length === 0) return 0;
    const { sources, derived } = await this.#around(listed);
    let built = 0;
    for (const group of groupsOf(sources, derived)) {
      if (group.sources.length === 0) continue;
      const hash = derivedHash(group.sources);
      if (hash !== undefined && coversSources(group.derived, hash, this.def.schemaHash)) continue;
      if (hash !== undefined) {
        await this.#build(group.sources, group.begin, group.end, hash);
        built++;
        continue;
      }
      // Sources of different schemas under one derived partition (the source's schema changed): one each.
      await this.deps.index.retire(this.info.name, 'global', new Date(group.begin), new Date(group.end));
      for (const source of group.sources) await this.#build([source], startOf(source), endOf(source), derivedHash([source])!);
      built += group.sources.length;
    }
    return built;
  }

  /**
   * `listed` and the derived partitions meeting them, widened until no partition of either set
   * reaches past the others (a derived partition merged over a period stands for all its sources).
   */
  async #around(listed: readonly StoredPartition[]): Promise<{ sources: readonly StoredPartition[]; derived: readonly StoredPartition[] }> {
    const { index } = this.deps;
    let [begin, end] = [Math.min(...listed.map(startOf)), Math.max(...listed.map(endOf))];
    let sources = listed;
    for (;;) {
      const derived = await index.meetingInserts(this.info.name, 'global', new Date(begin), new Date(end));
      const [wider, widerEnd] = [Math.min(begin, ...derived.map(startOf)), Math.max(end, ...derived.map(endOf))];
      if (wider === begin && widerEnd === end) return { sources, derived };
      sources = (await index.meetingInserts(this.#sourceName, 'global', new Date(wider), new Date(widerEnd))).filter((p) => p.has_file);
      [begin, end] = [Math.min(wider, ...sources.map(startOf)), Math.max(widerEnd, ...sources.map(endOf))];
    }
  }

  /** Merges the derived partitions inside each period of [begin, end) into one (the scheduler's ticks). */
  async #mergePeriods(begin: number, end: number, periodMs: number): Promise<number> {
    const derived = await this.deps.index.meetingInserts(this.info.name, 'global', new Date(begin), new Date(end));
    let merged = 0;
    for (let from = Math.floor(begin / periodMs) * periodMs; from < end; from += periodMs) {
      const to = from + periodMs;
      const meeting = derived.filter((p) => startOf(p) < to && endOf(p) > from);
      const inner = meeting.filter((p) => startOf(p) >= from && endOf(p) <= to);
      // Inside a wider one, or made of sources that cross the period's bounds: nothing to merge here.
      if (inner.length === 0 || inner.length < meeting.length || isSingle(inner, from, to)) continue;
      // Derived from source partitions of different schemas (the source's changed): left apart.
      if (combineSourceHashes(inner.map((p) => p.source_data_hash)) === undefined) continue;
      await this.deps.merger.merge({ info: this.info, schemaHash: this.def.schemaHash, mergeSql: this.def.mergeSql }, 'global', inner, new Date(from), new Date(to));
      merged++;
    }
    return merged;
  }

  async #build(sources: readonly StoredPartition[], begin: number, end: number, hash: string): Promise<void> {
    await this.deps.builder.build(this.info.name, 'global', new Date(begin), async () => ({
      viewSet: this.info.name, instanceId: 'global', beginInsert: new Date(begin), endInsert: new Date(end),
      tables: [], select: this.def.select(await Promise.all(sources.map((s) => this.deps.files.localPath(s.file_path)))),
      timeColumn: this.info.timeColumn, rowOrder: this.#neverSorted(sources) ? 'selected' : 'time', sourceHash: hash, schemaHash: this.def.schemaHash,
    }));
  }

  /** Whether the writer surely leaves the rows derived from `sources` unsorted (see ./parquet-writer.ts). */
  #neverSorted(sources: readonly StoredPartition[]): boolean {
    const binMs = this.info.timeBinMs;
    if (this.def.binsSourceTime !== true || binMs === undefined) return false;
    const rows = sources.reduce((n, s) => n + s.num_rows, 0);
    const span = Math.max(...sources.map((s) => s.max_event_ms)) - Math.min(...sources.map((s) => s.min_event_ms));
    return rows <= ROW_GROUP_ROWS || span + binMs <= SORT_MIN_SPAN_SECONDS * 1000;
  }
}
