/**
 * The small tables every view build shares: processes, blocks (with the exact nanosecond base their
 * events' offsets are relative to), interned strings, span/metric descriptors and property sets.
 * Facts refer to them by dense integer ids so that an event costs a few typed-array writes.
 */
import { BigIntColumn, Int32Column, Interner, StringColumn } from './columns.js';
import { ProcessClock, type BlockClock } from './ticks.js';
import type { SourceBlock, SourceProcess } from './sources.js';
import type { StagedTable } from './staged.js';

/** Key/value pairs as they arrive with an event, in order. */
export type EventProperties = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** A block whose process is not known to the build (no `processes` row): its ticks cannot convert. */
export class UnknownBlockProcessError extends Error {
  override name = 'UnknownBlockProcessError';
  constructor(readonly blockId: string, readonly processId: string) {
    super(`block ${blockId}: process ${processId} is unknown`);
  }
}

/** Id of the empty property set: events without properties all point at it. */
export const NO_PROPERTIES = 0;

export interface ProcessEntry {
  readonly index: number;
  readonly clock: ProcessClock;
}

/** The block whose events are being decoded: where its rows point and how its ticks convert. */
export interface BlockCursor {
  readonly index: number;
  readonly clock: BlockClock;
  readonly process: ProcessEntry;
  readonly objectOffset: number;
}

function propertiesJson(properties: EventProperties): string {
  const entries = properties instanceof Map ? [...properties] : Object.entries(properties);
  return JSON.stringify(entries.map(([key, value]) => ({ key, value })));
}

export class Dimensions {
  readonly #processes = new Map<string, ProcessEntry>();
  readonly #processRows: SourceProcess[] = [];
  readonly #blockIds = new StringColumn();
  readonly #blockStreams = new StringColumn();
  readonly #blockProcess = new Int32Column();
  readonly #blockInsertUs = new BigIntColumn();
  readonly #blockBaseNs = new BigIntColumn();
  readonly strings = new Interner<string>();
  readonly #propertySets = new Interner<string>();

  constructor() {
    this.#propertySets.id('[]');
  }

  addProcess(p: SourceProcess): ProcessEntry {
    let entry = this.#processes.get(p.process_id);
    if (entry === undefined) {
      entry = { index: this.#processRows.length, clock: new ProcessClock(p.process_id, p.start_time_ns, p.start_ticks, p.tsc_frequency) };
      this.#processes.set(p.process_id, entry);
      this.#processRows.push(p);
    }
    return entry;
  }

  process(processId: string): ProcessEntry | undefined {
    return this.#processes.get(processId);
  }

  /** Registers a block (its process must be added first) and returns where its events go. */
  beginBlock(block: SourceBlock): BlockCursor {
    const process = this.#processes.get(block.process_id);
    if (process === undefined) throw new UnknownBlockProcessError(block.block_id, block.process_id);
    const clock = process.clock.blockClock(block.begin_ticks);
    const index = this.#pushBlock(block.block_id, block.stream_id, process.index, block.insert_time_us, clock.baseNs);
    return { index, clock, process, objectOffset: Number(block.object_offset) };
  }

  /**
   * A row target with no block of its own, at an exact time: for values carried in from an earlier
   * partition (a span that began there). Its events use offset 0.
   */
  anchor(process: ProcessEntry, streamId: string, ns: bigint): number {
    return this.#pushBlock('', streamId, process.index, 0n, ns);
  }

  #pushBlock(blockId: string, streamId: string, process: number, insertUs: bigint, baseNs: bigint): number {
    const index = this.#blockIds.length;
    this.#blockIds.push(blockId);
    this.#blockStreams.push(streamId);
    this.#blockProcess.push(process);
    this.#blockInsertUs.push(insertUs);
    this.#blockBaseNs.push(baseNs);
    return index;
  }

  /** Exact nanoseconds of `offset` within the block (or anchor) `index`. */
  timeNs(index: number, offset: number): bigint {
    return this.#blockBaseNs.get(index) + BigInt(offset);
  }

  propertySet(properties: EventProperties | undefined): number {
    if (properties === undefined) return NO_PROPERTIES;
    return this.#propertySets.id(propertiesJson(properties));
  }

  stage(): StagedTable[] {
    const processes = this.#processRows;
    const strings = this.strings.keys();
    const propertySets = this.#propertySets.keys();
    return [
      {
        name: 'mm_processes',
        columns: [
          { name: 'idx', type: 'INTEGER', values: Int32Array.from(processes, (_, i) => i) },
          { name: 'process_id', type: 'VARCHAR', values: processes.map((p) => p.process_id), dictionary: true },
          { name: 'exe', type: 'VARCHAR', values: processes.map((p) => p.exe), dictionary: true },
          { name: 'username', type: 'VARCHAR', values: processes.map((p) => p.username), dictionary: true },
          { name: 'computer', type: 'VARCHAR', values: processes.map((p) => p.computer), dictionary: true },
          { name: 'properties', type: 'VARCHAR', values: processes.map((p) => p.properties_json), dictionary: true },
        ],
      },
      {
        name: 'mm_blocks',
        columns: [
          { name: 'idx', type: 'INTEGER', values: Int32Array.from(this.#blockIds.values(), (_, i) => i) },
          { name: 'block_id', type: 'VARCHAR', values: this.#blockIds.values(), dictionary: true },
          { name: 'stream_id', type: 'VARCHAR', values: this.#blockStreams.values(), dictionary: true },
          { name: 'process', type: 'INTEGER', values: this.#blockProcess.values() },
          { name: 'insert_time_us', type: 'BIGINT', values: this.#blockInsertUs.values() },
          { name: 'base_ns', type: 'BIGINT', values: this.#blockBaseNs.values() },
        ],
      },
      {
        name: 'mm_strings',
        columns: [
          { name: 'idx', type: 'INTEGER', values: Int32Array.from(strings, (_, i) => i) },
          { name: 's', type: 'VARCHAR', values: strings, dictionary: true },
        ],
      },
      {
        name: 'mm_property_sets',
        columns: [
          { name: 'idx', type: 'INTEGER', values: Int32Array.from(propertySets, (_, i) => i) },
          { name: 'json', type: 'VARCHAR', values: propertySets },
        ],
      },
    ];
  }
}
