/**
 * Just-in-time materialization of the block-sourced view sets. For a view instance and a time
 * range it finds the insert-time segments holding blocks that meet the range, compares each with
 * the partition recorded for it (source hash: exactly which blocks; schema hash: which view
 * definition) and builds what is missing or stale. Chained sets (thread_spans) also build the
 * earlier segments their first one depends on, and later ones while spans begun in the range are
 * still open.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WireFormatError } from '@micromegas/wire';
import { readBlockPayload } from '../lake/telemetry/payload.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { Dimensions } from '../etl/dimensions.js';
import type { CarriedSpan } from '../etl/thread-spans.js';
import type { TimeRange } from '../query/engine.js';
import type { BlockViewSet } from './block-view-sets.js';
import { blockSetHash, type BlockSelection, type InstanceFilter, type SourceBlocks } from './source-blocks.js';
import { refreshSegments, type SegmentSummary, type TimeBounds } from './segment-refresh.js';
import type { PartitionIndex, StoredPartition } from './partition-index.js';
import { PartitionFiles } from './partition-files.js';
import type { ParquetWriter } from './parquet-writer.js';
import { PartitionBuildError } from './errors.js';

/** Payload downloads kept in flight while earlier blocks decode. */
const FETCH_AHEAD = 8;

export interface MaterializerDeps {
  source: SourceBlocks;
  index: PartitionIndex;
  files: PartitionFiles;
  writer: ParquetWriter;
  objects: ObjectStore;
  /** Told about blocks skipped because their payload is malformed. */
  onSkippedBlock?: (blockId: string, error: WireFormatError) => void;
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
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly stats: BuildStats = { built: 0, events: 0, rows: 0 };

  constructor(private readonly deps: MaterializerDeps) {}

  static selection(set: BlockViewSet, instanceId: string): BlockSelection {
    const filter: InstanceFilter = instanceId === 'global'
      ? { kind: 'global' }
      : { kind: set.info.instanceKind ?? 'process_id', id: instanceId };
    return { filter, streamTag: set.streamTag };
  }

  /**
   * Brings the instance's partitions up to date for the event-time `range` (or, with `inserts`,
   * for the segments starting in that insert range); returns how many it (re)built.
   */
  async refresh(set: BlockViewSet, instanceId: string, range: TimeRange, widthSeconds: number, inserts?: TimeBounds): Promise<number> {
    if (set.chained) return this.#once(`${set.info.name}\0${instanceId}`, () => this.#refreshChain(set, instanceId, range, widthSeconds));
    const selection = BlockMaterializer.selection(set, instanceId);
    const built = await refreshSegments({
      index: this.deps.index, viewSet: set.info.name, instanceId, schemaHash: schemaHash(set), widthSeconds, events: range, inserts,
      source: {
        summaries: (width, within) => this.deps.source.segmentSummaries(selection, width, within),
        build: async (begin, end) => { await this.#build(set, instanceId, selection, begin, end, undefined); },
      },
      once: (key, build) => this.#once(key, build),
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

  /** Runs `fn` unless the same key is already running in this process, then shares its outcome. */
  #once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const promise = fn().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  /** Builds and records one segment's partition; returns what it carries out (chained sets). */
  async #build(set: BlockViewSet, instanceId: string, selection: BlockSelection, beginInsert: Date, endInsert: Date, carried: unknown): Promise<unknown> {
    const { source, files, writer, index, objects } = this.deps;
    try {
      const blocks = await source.blocksIn(selection, beginInsert, endInsert);
      const dims = new Dimensions();
      for (const p of await source.processes([...new Set(blocks.map((b) => b.process_id))])) dims.addProcess(p);
      const streamId = selection.filter.kind === 'stream_id' ? selection.filter.id : undefined;
      const process = blocks[0] === undefined ? undefined : dims.process(blocks[0].process_id);
      const builder = set.createBuilder({ dims, process, streamId, carried });

      const payloads = blocks.map(() => undefined as ReturnType<typeof readBlockPayload> | undefined);
      const fetch = (i: number): void => {
        if (i < blocks.length) payloads[i] = readBlockPayload(objects, blocks[i]!);
      };
      for (let i = 0; i < FETCH_AHEAD; i++) fetch(i);
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i]!;
        const payload = await payloads[i]!;
        payloads[i] = undefined;
        fetch(i + FETCH_AHEAD);
        try {
          this.stats.events += builder.visitBlock(dims.beginBlock(block), payload, block.block_id);
        } catch (err) {
          if (!(err instanceof WireFormatError)) throw err;
          this.deps.onSkippedBlock?.(block.block_id, err);
        }
      }

      const carryOut = builder.carryOut?.();
      const hash = set.chained ? chainHash(blockSetHash(blocks.map((b) => b.block_id)), carried as CarriedSpan[]) : blockSetHash(blocks.map((b) => b.block_id));
      await files.ensureScratchDir();
      const scratch = files.scratchPath(`${randomUUID()}.parquet`);
      const written = await writer.write({ tables: [...dims.stage(), ...builder.stage()], select: set.select, timeColumn: set.info.timeColumn, path: scratch });
      let filePath: string | null = null;
      let fileSize = 0;
      if (written.numRows > 0) {
        filePath = PartitionFiles.key(set.info.name, instanceId, beginInsert, endInsert, hash, schemaHash(set));
        fileSize = await files.publish(filePath, scratch);
      }
      const insertNs = (d: Date): bigint => BigInt(d.getTime()) * 1_000_000n;
      await index.upsert({
        viewSet: set.info.name, instanceId, beginInsert, endInsert,
        minEventNs: written.minEventNs ?? insertNs(beginInsert), maxEventNs: written.maxEventNs ?? insertNs(beginInsert),
        filePath, fileSize, fileSchemaHash: schemaHash(set), sourceDataHash: hash, numRows: written.numRows, carry: carryOut ?? null,
      });
      this.stats.built++;
      this.stats.rows += written.numRows;
      return carryOut;
    } catch (err) {
      throw new PartitionBuildError(set.info.name, instanceId, beginInsert, err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  /** Deletes replaced files whose grace period is over. */
  async #collectExpired(): Promise<void> {
    for (const key of await this.deps.index.takeExpiredFiles()) await this.deps.files.delete(key);
  }
}

/** A chained partition's source: its blocks and the state it started from. */
function chainHash(blocksHash: string, carried: readonly CarriedSpan[]): string {
  // Field by field: the carry read back from jsonb does not keep its keys' order.
  const canonical = carried.map((s) => [s.id, s.begin_ns, s.name, s.target, s.filename, s.line]);
  return `${blocksHash}:${md5(JSON.stringify(canonical))}`;
}
