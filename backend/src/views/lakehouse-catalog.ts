/**
 * The lakehouse's ViewCatalog: every view set, materialized just in time into Parquet partitions
 * listed in `lakehouse_partitions`, handed to the query engine as local files.
 */
import { dirname, join, resolve } from 'node:path';
import type { MetadataStore } from '../lake/metadata/store.js';
import type { SpillOptions } from '../lake/spill-dirs.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { readBlock, threadStreams, type BlockWithPayload } from '../lake/telemetry/read.js';
import { QueryError, type TimeRange } from '../query/engine.js';
import type { PartitionFile, PartitionRow, ThreadStream, ViewCatalog, ViewSetInfo } from './catalog.js';
import type { MaterializedSet } from './materialized-set.js';
import { BlockMaterializer, type MaterializerDeps } from './block-materializer.js';
import { blockViewSets } from './block-view-sets.js';
import { metadataViewSets } from './metadata-view-sets.js';
import { logStatsDefinition } from './log-stats.js';
import { measureStatsDefinition } from './measure-stats.js';
import { DerivedSet } from './derived-set.js';
import { PartitionMerger } from './partition-merger.js';
import { PartitionIndex } from './partition-index.js';
import { PartitionFiles } from './partition-files.js';
import { PartitionBuilder } from './partition-builder.js';
import { SingleFlight } from './single-flight.js';
import { SCHEDULED_WINDOW_MS } from './scheduled-until.js';
import { ParquetWriter } from './parquet-writer.js';
import { SourceBlocks } from './source-blocks.js';
import { SourceMemory } from './source-memory.js';
import { userViewsFromEnv, type UserViewDefinition } from './user-views/config.js';
import { userViewSets } from './user-views/user-view-sets.js';

export interface ViewCatalogOptions {
  metadata: MetadataStore;
  objects: ObjectStore;
  /** Local directory for scratch files and for partitions fetched from a remote object store. */
  cacheDir: string;
  /** Bound of that cache (default 1 GiB); files are evicted least recently used first. */
  maxCacheBytes?: number;
  /** Insert-time width of the partitions JIT builds for global instances (default 60 s). */
  globalSegmentSeconds?: number;
  /** … and for per-process / per-stream instances (default 600 s). */
  instanceSegmentSeconds?: number;
  /** … and for processes, streams and blocks (default 600 s). */
  metadataSegmentSeconds?: number;
  /**
   * Threads of the internal DuckDB that writes Parquet (default 1: a second thread makes a large
   * merge about a third quicker but costs about a fifth more CPU, and much more on small writes,
   * which spend it handing tasks between threads).
   */
  writerThreads?: number;
  /** Where that DuckDB spills large builds (default: a `spill` folder next to cacheDir). */
  spill?: SpillOptions;
  onSkippedBlock?: MaterializerDeps['onSkippedBlock'];
  /**
   * How recent the scheduler's newest partition of a global instance must be for statements to leave
   * it the blocks inserted since (./scheduled-until.ts; default SCHEDULED_WINDOW_MS; 0: statements
   * always build up to the present).
   */
  scheduledWindowMs?: number;
  /** Partitions holding this many rows on average stay apart instead of merged (default MERGED_ENOUGH_ROWS, ./segment-refresh.ts). */
  mergedEnoughRows?: number;
  /** User-defined views (docs/user-views.md); default: those of the file MICROMEGAS_VIEWS_CONFIG names. */
  userViews?: readonly UserViewDefinition[];
}

export class LakehouseCatalog implements ViewCatalog {
  readonly #sets: Map<string, MaterializedSet>;

  private constructor(
    private readonly index: PartitionIndex,
    private readonly files: PartitionFiles,
    /** Its DuckDB instance (sorting, compression, merges): what the maintenance holds in memory. */
    readonly writer: ParquetWriter,
    readonly materializer: BlockMaterializer,
    sets: readonly MaterializedSet[],
    /** Names of the user-defined view sets, each after its source (the scheduler runs them last). */
    readonly userViews: readonly string[],
    private readonly lake: { metadata: MetadataStore; objects: ObjectStore },
  ) {
    this.#sets = new Map(sets.map((s) => [s.info.name, s]));
  }

  static async create(options: ViewCatalogOptions): Promise<LakehouseCatalog> {
    const spill = options.spill ?? defaultSpill(options.cacheDir);
    const writer = await ParquetWriter.create({ threads: options.writerThreads ?? 1, spill });
    const index = new PartitionIndex(options.metadata);
    const files = new PartitionFiles(options.objects, options.cacheDir, options.maxCacheBytes ?? 1024 ** 3);
    const source = new SourceBlocks(options.metadata);
    const builder = new PartitionBuilder(writer, files, index);
    const merger = new PartitionMerger(builder, files);
    const flights = new SingleFlight();
    const memory = new SourceMemory(options.metadata, source);
    const scheduledWindowMs = options.scheduledWindowMs ?? SCHEDULED_WINDOW_MS;
    const materializer = new BlockMaterializer({ db: options.metadata, source, memory, index, files, builder, merger, flights, objects: options.objects,
      onSkippedBlock: options.onSkippedBlock, scheduledWindowMs, mergedEnoughRows: options.mergedEnoughRows });
    const globalWidth = options.globalSegmentSeconds ?? 60;
    const instanceWidth = options.instanceSegmentSeconds ?? 600;
    const blockSets: MaterializedSet[] = blockViewSets.map((set) => ({
      info: set.info,
      async refresh(instanceId, range) {
        await materializer.refresh(set, instanceId, range, instanceId === 'global' ? globalWidth : instanceWidth);
      },
      materialize: (begin, end, deltaSeconds) => materializer.refresh(set, 'global', {}, deltaSeconds, { begin, end }),
    }));
    const blockSet = (name: string) => blockSets.find((s) => s.info.name === name)!;
    const sets = [
      ...blockSets,
      new DerivedSet(logStatsDefinition, { source: blockSet('log_entries'), index, files, builder, merger }),
      new DerivedSet(measureStatsDefinition, { source: blockSet('measures'), index, files, builder, merger }),
      ...metadataViewSets({
        db: options.metadata, index, builder, merger, flights, widthSeconds: options.metadataSegmentSeconds ?? 600, mergedEnoughRows: options.mergedEnoughRows,
      }),
    ];
    try {
      const definitions = options.userViews ?? await userViewsFromEnv();
      const userSets = await userViewSets(definitions, new Map(sets.map((s) => [s.info.name, s])), writer, { index, files, builder, merger });
      return new LakehouseCatalog(index, files, writer, materializer, [...sets, ...userSets], userSets.map((s) => s.info.name),
        { metadata: options.metadata, objects: options.objects });
    } catch (err) {
      await writer.close();
      throw err;
    }
  }

  viewSets(): ViewSetInfo[] {
    return [...this.#sets.values()].map((s) => s.info);
  }

  #set(name: string, instanceId: string): MaterializedSet {
    const set = this.#sets.get(name);
    if (set === undefined) throw new QueryError('not_found', `unknown view set '${name}': known are ${[...this.#sets.keys()].sort().join(', ')}`);
    if (instanceId === 'global' && !set.info.hasGlobal) {
      throw new QueryError('not_found', `view set ${name} has no global instance: use view_instance('${name}', <${set.info.instanceKind}>)`);
    }
    if (instanceId !== 'global' && set.info.instanceKind === null) {
      throw new QueryError('not_found', `view set ${name} has only a global instance, not '${instanceId}'`);
    }
    return set;
  }

  async partitionsFor(viewSet: string, instanceId: string, range: TimeRange): Promise<PartitionFile[]> {
    const set = this.#set(viewSet, instanceId);
    const binMs = set.info.timeBinMs;
    // A bin starting up to one bin width before the range still meets it.
    const reach = binMs === undefined || range.begin === undefined ? range : { ...range, begin: new Date(range.begin.getTime() - binMs) };
    await set.refresh(instanceId, reach);
    const partitions = await this.index.overlapping(set.info.name, instanceId, reach.begin, reach.end);
    return Promise.all(partitions.map(async (p) => ({
      path: await this.files.localPath(p.file_path),
      numRows: p.num_rows,
      minEventTime: new Date(p.min_event_ms),
      maxEventTime: new Date(p.max_event_ms),
    })));
  }

  async listPartitions(): Promise<PartitionRow[]> {
    return (await this.index.all()).map((p) => ({
      view_set_name: p.view_set_name,
      view_instance_id: p.view_instance_id,
      begin_insert_time: p.begin_insert_time,
      end_insert_time: p.end_insert_time,
      min_event_time: p.min_event_time,
      max_event_time: p.max_event_time,
      updated: p.updated,
      file_path: p.file_path,
      file_size: p.file_size,
      file_schema_hash: p.file_schema_hash,
      source_data_hash: p.source_data_hash,
      num_rows: p.num_rows,
    }));
  }

  async materializePartitions(viewSet: string, begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    if (!(deltaSeconds > 0) || !Number.isInteger(deltaSeconds)) throw new QueryError('invalid_argument', `delta_seconds must be a positive integer, got ${deltaSeconds}`);
    return this.#set(viewSet, 'global').materialize(begin, end, deltaSeconds);
  }

  async retirePartitions(viewSet: string, instanceId: string, begin: Date, end: Date): Promise<number> {
    const set = this.#set(viewSet, instanceId);
    return this.index.retire(set.info.name, instanceId, begin, end);
  }

  async threadStreams(processId: string, range: TimeRange): Promise<ThreadStream[]> {
    const rows = await threadStreams(this.lake.metadata, processId, range.begin, range.end);
    return rows.map(({ stream_id, properties }) => {
      const property = (key: string) => properties.find((p) => p.key === key)?.value;
      const [threadName, threadId] = [property('thread-name'), property('thread-id')];
      return { streamId: stream_id, ...(threadName === undefined ? {} : { threadName }), ...(threadId === undefined ? {} : { threadId }) };
    });
  }

  readBlock(blockId: string): Promise<BlockWithPayload | undefined> {
    return readBlock(this.lake.metadata, this.lake.objects, blockId);
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}

/** Spill folders beside the cache, not in it: the query engine may read the cache's files. */
export function defaultSpill(cacheDir: string): SpillOptions {
  return { root: join(dirname(resolve(cacheDir)), 'spill') };
}

/** How the service (and tests) get the lakehouse catalog. */
export function createViewCatalog(options: ViewCatalogOptions): Promise<LakehouseCatalog> {
  return LakehouseCatalog.create(options);
}
