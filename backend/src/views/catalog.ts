import type { Schema } from 'apache-arrow';
import type { BlockWithPayload } from '../lake/telemetry/read.js';
import type { TimeRange } from '../query/engine.js';

/** One view set (log_entries, measures, thread_spans, …): every instance shares its schema. */
export interface ViewSetInfo {
  name: string;
  schema: Schema;
  /** True when the set has a 'global' instance, usable as a plain table name in SQL. */
  hasGlobal: boolean;
  /** What a non-global instance id names ('process_id', 'stream_id'), or null when there are none. */
  instanceKind: 'process_id' | 'stream_id' | null;
  /** Event-time column that time ranges filter on (e.g. 'time', 'begin', 'insert_time'). */
  timeColumn: string;
  /**
   * When rows are time bins (log_stats' minutes): the bins' width in ms, each row standing for
   * [time, time + bin). A time range then keeps every bin it meets, not only those starting in it.
   */
  timeBinMs?: number;
  /**
   * Columns each partition stores as the JSON text of their declared type, decoded when read
   * (../query/sql/stored-column.ts): a process's property list, the same on all its rows, is then a
   * dictionary entry of a string column instead of a nested list written row by row (about 40 % of
   * writing a measures partition).
   */
  jsonColumns?: readonly string[];
  /** Set on a set of time bins that summarize another set's rows: aggregates over that set can read it instead. */
  rollup?: RollupInfo;
}

/**
 * How a derived set's bins summarize its source (../query/rewrite/rollup.ts): every source row of a
 * bin (`timeBinMs` of the source's time column) and of one value of each dimension is counted in one
 * row, with the sum, least and greatest of `measure` when the set keeps them.
 */
export interface RollupInfo {
  /** The view set summarized (measures for measure_stats). */
  source: string;
  /** Columns of both sets, same name and values, that a bin's rows share. */
  dimensions: readonly string[];
  /** The source rows counted, a column of the bin set. */
  count: string;
  /** The source column aggregated, and the bin set's columns holding its sum, minimum and maximum. */
  measure?: { column: string; sum: string; min: string; max: string };
}

/** A Parquet partition ready to scan: a local file path (object-store partitions are cached locally). */
export interface PartitionFile {
  path: string;
  numRows: number;
  minEventTime: Date;
  maxEventTime: Date;
}

export interface PartitionRow {
  view_set_name: string;
  view_instance_id: string;
  begin_insert_time: Date;
  end_insert_time: Date;
  min_event_time: Date;
  max_event_time: Date;
  updated: Date;
  file_path: string;
  file_size: number;
  file_schema_hash: string;
  source_data_hash: string;
  num_rows: number;
}

/** A thread of a process: one of its `cpu` streams, with the properties that name it. */
export interface ThreadStream {
  streamId: string;
  threadName?: string;
  threadId?: string;
}

/** What the query engine asks of the lakehouse. */
export interface ViewCatalog {
  viewSets(): ViewSetInfo[];
  /**
   * Brings the instance's partitions up to date for `range` (builds missing ones, rebuilds stale
   * ones: just-in-time materialization) and returns the files to scan, pruned by time.
   * Throws QueryError('not_found') for an unknown view set or instance kind.
   */
  partitionsFor(viewSet: string, instanceId: string, range: TimeRange): Promise<PartitionFile[]>;
  listPartitions(): Promise<PartitionRow[]>;
  materializePartitions(viewSet: string, begin: Date, end: Date, deltaSeconds: number): Promise<number>;
  retirePartitions(viewSet: string, instanceId: string, begin: Date, end: Date): Promise<number>;
  /** The process's threads with blocks in `range`, by stream id: what process_spans() reads. */
  threadStreams(processId: string, range: TimeRange): Promise<ThreadStream[]>;
  /** A block with its payload (undefined when no block has this id): what parse_block() decodes. */
  readBlock(blockId: string): Promise<BlockWithPayload | undefined>;
}
