/**
 * Just-in-time materialization of the block-sourced view sets. For a view instance and a time
 * range it finds the insert-time segments holding blocks that meet the range, compares each with
 * the partition recorded for it (source hash: exactly which blocks; schema hash: which view
 * definition) and builds what is missing or stale. Chained sets (thread_spans) also build the
 * earlier segments their first one depends on, and later ones while spans begun in the range are
 * still open.
 */
import { createHash } from 'node:crypto';
import { WireFormatError } from '@micromegas/wire';
import { CorruptPayloadError, type PayloadLocation, type StoredPayload } from '../lake/telemetry/payload.js';
import type { SqlExecutor } from '../lake/metadata/store.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { Dimensions } from '../etl/dimensions.js';
import type { SourceBlock } from '../etl/sources.js';
import type { ViewBuilder } from '../etl/view-builder.js';
import type { SkippedBlock } from '../etl/skipped-blocks.js';
import type { CarriedSpan } from '../etl/thread-spans.js';
import type { TimeRange } from '../query/engine.js';
import type { BlockViewSet } from './block-view-sets.js';
import type { BlockSelection, InstanceFilter, SourceBlocks } from './source-blocks.js';
import type { SourceMemory } from './source-memory.js';
import { refreshSegments, type SegmentSummary, type TimeBounds } from './segment-refresh.js';
import { withSuffix } from './source-hash.js';
import { UNION_MERGE, type PartitionMerger } from './partition-merger.js';
import { deleteDueFiles } from './expired-files.js';
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import type { PartitionFiles } from './partition-files.js';
import type { PartitionBuilder } from './partition-builder.js';
import type { SingleFlight } from './single-flight.js';
import { PayloadFetcher } from './payload-fetcher.js';

/** Payload downloads kept in flight while earlier blocks decode. */
const FETCH_AHEAD = 8;
/** Expired files deleted per statement by the sweep after a refresh. */
const SWEEP_BATCH = 1000;

export interface MaterializerDeps {
  /** The metadata database (its list of expired files). */
  db: SqlExecutor;
  source: SourceBlocks;
  /** What closed insert seconds hold, for queries (the scheduler asks the database). */
  memory: SourceMemory;
  index: PartitionIndex;
  files: PartitionFiles;
  builder: PartitionBuilder;
  merger: PartitionMerger;
  flights: SingleFlight;
  objects: ObjectStore;
  /** Told about blocks skipped because their payload is malformed (../etl/skipped-blocks.ts). */
  onSkippedBlock?: (skip: SkippedBlock) => void;
  /** A query leaves a global instance's newest blocks to a scheduler this recent (./scheduled-until.ts); unset: never. */
  scheduledWindowMs?: number | undefined;
  /** See SegmentRefresh.mergedEnoughRows. */
  mergedEnoughRows?: number | undefined;
}

export interface BuildStats {
  built: number;
  events: number;
  rows: number;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function schemaHash(set: BlockViewSet): string {
  return md5(`${set.info.schema.fields.map((f) => `${f.name}:${f.type}`).join(',')}\n${set.select}`);
}

export class BlockMaterializer {
  readonly stats: BuildStats = { built: 0, events: 0, rows: 0 };

  constructor(private readonly deps: MaterializerDeps) {}

  static selection(set: BlockViewSet, instanceId: string): BlockSelection {
    const filter: InstanceFilter = instanceId === 'global'
      ? { kind: 'global' }
      : { kind: set.info.instanceKind ?? 'process_id', id: instanceId };
    return { filter, streamTag: set.streamTag };
  }

  /**
   * Brings the instance's partitions up to date for the event-time `range`; returns how many it
   * built. With `inserts` (the scheduler, global instances), works on the segments starting in that
   * insert range instead and leaves each as one partition `widthSeconds` wide, merged from the
   * partitions inside it.
   */
  async refresh(set: BlockViewSet, instanceId: string, range: TimeRange, widthSeconds: number, inserts?: TimeBounds): Promise<number> {
    if (set.chained) return this.deps.flights.run(`${set.info.name}\0${instanceId}`, () => this.#refreshChain(set, instanceId, range, widthSeconds));
    const selection = BlockMaterializer.selection(set, instanceId);
    const spec = { info: set.info, schemaHash: schemaHash(set), mergeSql: UNION_MERGE };
    const remembered = inserts === undefined ? await this.deps.memory.view(selection, widthSeconds, range) : undefined;
    const built = await refreshSegments({
      index: this.deps.index, viewSet: set.info.name, instanceId, schemaHash: spec.schemaHash, widthSeconds, events: range, inserts,
      source: {
        summaries: remembered?.summaries ?? ((width, within) => this.deps.source.segmentSummaries(selection, width, within)),
        rangeSources: remembered?.rangeSources ?? ((ranges) => this.deps.source.rangeSources(selection, ranges)),
        build: async (begin, end) => { await this.#build(set, instanceId, selection, begin, end, undefined); },
      },
      flights: this.deps.flights,
      merge: inserts === undefined ? undefined : (parts, begin, end) => this.deps.merger.merge(spec, instanceId, parts, begin, end),
      // Global instances take every process's blocks: a dashboard's statements, seconds apart, each add what arrived since.
      tail: instanceId === 'global' ? 'sources' : 'seconds',
      scheduledWindowMs: instanceId === 'global' ? this.deps.scheduledWindowMs : undefined,
      mergedEnoughRows: this.deps.mergedEnoughRows,
    });
    await this.#collectExpired();
    return built;
  }

  async #refreshChain(set: BlockViewSet, instanceId: string, range: TimeRange, widthSeconds: number): Promise<number> {
    const selection = BlockMaterializer.selection(set, instanceId);
    const summaries = await this.deps.source.segmentSummaries(selection, widthSeconds);
    const recorded = await this.#recorded(set, instanceId, summaries, widthSeconds);
    await this.#retireOrphans(set, instanceId, summaries, widthSeconds);
    const wanted = schemaHash(set);
    const beginNs = range.begin === undefined ? undefined : BigInt(range.begin.getTime()) * 1_000_000n;
    let carry: CarriedSpan[] = [];
    let built = 0;
    for (const summary of summaries) {
      const pastRange = range.end !== undefined && summary.minBeginMs >= range.end.getTime();
      const openInRange = carry.some((span) => beginNs === undefined || BigInt(span.begin_ns) >= beginNs);
      if (pastRange && !openInRange) break;
      const partition = recorded.get(summary.segment);
      if (partition?.source_data_hash === chainHash(summary.hash, carry) && partition.file_schema_hash === wanted) {
        carry = (partition.carry as CarriedSpan[] | null) ?? [];
        continue;
      }
      const begin = new Date(summary.segment * widthSeconds * 1000);
      carry = (await this.#build(set, instanceId, selection, begin, new Date(begin.getTime() + widthSeconds * 1000), carry)) as CarriedSpan[];
      built++;
    }
    await this.#collectExpired();
    return built;
  }

  async #recorded(set: BlockViewSet, instanceId: string, summaries: readonly SegmentSummary[], widthSeconds: number): Promise<Map<number, StoredPartition>> {
    if (summaries.length === 0) return new Map();
    const begin = new Date(summaries[0]!.segment * widthSeconds * 1000);
    const end = new Date((summaries.at(-1)!.segment + 1) * widthSeconds * 1000);
    const partitions = await this.deps.index.ofInstance(set.info.name, instanceId, begin, end);
    const bySegment = new Map<number, StoredPartition>();
    for (const p of partitions) {
      // Only partitions of this width line up with the segments; others get replaced.
      const seconds = p.begin_insert_time.getTime() / 1000;
      if (p.end_insert_time.getTime() / 1000 - seconds === widthSeconds) bySegment.set(seconds / widthSeconds, p);
    }
    return bySegment;
  }

  /**
   * A chained instance is known whole: a recorded partition whose segment holds none of its blocks
   * any more (or of another width) would add rows twice or from nowhere, so it goes.
   */
  async #retireOrphans(set: BlockViewSet, instanceId: string, summaries: readonly SegmentSummary[], widthSeconds: number): Promise<void> {
    const live = new Set(summaries.map((s) => s.segment * widthSeconds * 1000));
    for (const p of await this.deps.index.ofInstance(set.info.name, instanceId)) {
      const begin = p.begin_insert_time.getTime();
      if (live.has(begin) && p.end_insert_time.getTime() - begin === widthSeconds * 1000) continue;
      await this.deps.index.retire(set.info.name, instanceId, p.begin_insert_time, p.end_insert_time);
    }
  }

  /** Builds and records one segment's partition; returns what it carries out (chained sets). */
  async #build(set: BlockViewSet, instanceId: string, selection: BlockSelection, beginInsert: Date, endInsert: Date, carried: unknown): Promise<unknown> {
    let carryOut: unknown;
    const written = await this.deps.builder.build(set.info.name, instanceId, beginInsert, async () => {
      const { blocks, hash: blocksHash } = await this.deps.source.blocksIn(selection, beginInsert, endInsert);
      const dims = new Dimensions();
      for (const p of await this.deps.source.processes([...new Set(blocks.map((b) => b.process_id))])) dims.addProcess(p);
      const streamId = selection.filter.kind === 'stream_id' ? selection.filter.id : undefined;
      const process = blocks[0] === undefined ? undefined : dims.process(blocks[0].process_id);
      const builder = set.createBuilder({ dims, process, streamId, carried });
      await this.#decode(set.info.name, blocks, dims, builder);
      carryOut = builder.carryOut?.();
      return {
        viewSet: set.info.name, instanceId, beginInsert, endInsert,
        tables: [...dims.stage(), ...builder.stage()], select: set.select, timeColumn: set.info.timeColumn,
        sourceHash: set.chained ? chainHash(blocksHash, carried as CarriedSpan[]) : blocksHash, schemaHash: schemaHash(set),
        carry: carryOut,
      };
    });
    this.stats.built++;
    this.stats.rows += written.numRows;
    return carryOut;
  }

  /**
   * Decodes the blocks in order into `builder`, downloading a few ahead (blocks packed together share
   * their downloads, ./payload-fetcher.ts). A corrupt block (its payload
   * is not one, or its events do not decode) adds nothing and is reported; a missing payload object
   * or an unreachable store fails the build.
   */
  async #decode(viewSet: string, blocks: readonly (SourceBlock & PayloadLocation)[], dims: Dimensions, builder: ViewBuilder): Promise<void> {
    const fetcher = new PayloadFetcher(this.deps.objects, blocks);
    const payloads = blocks.map(() => undefined as Promise<StoredPayload> | undefined);
    const fetch = (i: number): void => {
      if (i >= blocks.length) return;
      const payload = fetcher.read(i);
      payload.catch(() => {}); // awaited in turn below; until then a rejection is not unhandled
      payloads[i] = payload;
    };
    for (let i = 0; i < FETCH_AHEAD; i++) fetch(i);
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      const payload = payloads[i]!;
      payloads[i] = undefined;
      fetch(i + FETCH_AHEAD);
      try {
        this.stats.events += builder.visitBlock(dims.beginBlock(block), await payload, block.block_id);
      } catch (err) {
        if (!(err instanceof WireFormatError || err instanceof CorruptPayloadError)) throw err;
        this.deps.onSkippedBlock?.({ viewSet, block, error: err });
      }
    }
  }

  /** Deletes replaced files whose grace period is over. */
  async #collectExpired(): Promise<void> {
    await deleteDueFiles(this.deps.db, (key) => this.deps.files.delete(key), { now: new Date(), batchSize: SWEEP_BATCH });
  }
}

/** A chained partition's source: its blocks and the state it started from. */
function chainHash(blocksHash: string, carried: readonly CarriedSpan[]): string {
  // Field by field: the carry read back from jsonb does not keep its keys' order.
  const canonical = carried.map((s) => [s.id, s.begin_ns, s.name, s.target, s.filename, s.line]);
  return withSuffix(blocksHash, md5(JSON.stringify(canonical)));
}
