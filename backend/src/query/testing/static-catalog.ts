import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import type { TimeRange } from '../engine.js';
import { QueryError } from '../engine.js';
import type { PartitionFile, PartitionRow, ThreadStream, ViewCatalog, ViewSetInfo } from '../../views/catalog.js';

interface Partition extends PartitionRow {
  file: PartitionFile;
}

/**
 * A ViewCatalog over Parquet files written up front (by DuckDB, from SQL): what the engine's tests
 * and the query benchmark scan. Records what the engine asked of it.
 */
export class StaticViewCatalog implements ViewCatalog {
  private readonly partitions: Partition[] = [];
  readonly requests: { viewSet: string; instanceId: string; range: TimeRange }[] = [];
  readonly adminCalls: unknown[][] = [];
  /** The threads threadStreams() answers, by process id: tests set them. */
  readonly threads = new Map<string, ThreadStream[]>();

  constructor(private readonly sets: ViewSetInfo[], private readonly dir: string) {}

  viewSets(): ViewSetInfo[] {
    return this.sets;
  }

  /** Writes `select` (rows of the view set's columns) as one Parquet partition of an instance. */
  async addPartition(viewSet: string, instanceId: string, select: string): Promise<PartitionRow> {
    const set = this.set(viewSet);
    const path = join(this.dir, `${viewSet}-${instanceId}-${this.partitions.length}.parquet`);
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`);
      const stats = await connection.runAndReadAll(
        `SELECT count(*)::DOUBLE, epoch_ms(min("${set.timeColumn}")), epoch_ms(max("${set.timeColumn}")) FROM '${path}'`);
      const [rows, min, max] = stats.getRows()[0]!.map(Number);
      const now = new Date();
      const partition: Partition = {
        view_set_name: viewSet, view_instance_id: instanceId,
        begin_insert_time: new Date(min!), end_insert_time: new Date(max!),
        min_event_time: new Date(min!), max_event_time: new Date(max!), updated: now,
        file_path: path, file_size: 0, file_schema_hash: 'test', source_data_hash: 'test', num_rows: rows!,
        file: { path, numRows: rows!, minEventTime: new Date(min!), maxEventTime: new Date(max!) },
      };
      this.partitions.push(partition);
      return partition;
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  }

  async partitionsFor(viewSet: string, instanceId: string, range: TimeRange): Promise<PartitionFile[]> {
    this.set(viewSet);
    this.requests.push({ viewSet, instanceId, range });
    return this.partitions
      .filter((p) => p.view_set_name === viewSet && p.view_instance_id === instanceId)
      .filter((p) => (!range.begin || p.max_event_time >= range.begin) && (!range.end || p.min_event_time < range.end))
      .map((p) => p.file);
  }

  async listPartitions(): Promise<PartitionRow[]> {
    return this.partitions.map(({ file: _file, ...row }) => row);
  }

  async materializePartitions(viewSet: string, begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    this.set(viewSet);
    this.adminCalls.push(['materialize_partitions', viewSet, begin, end, deltaSeconds]);
    return Math.ceil((end.getTime() - begin.getTime()) / 1000 / deltaSeconds);
  }

  async retirePartitions(viewSet: string, instanceId: string, begin: Date, end: Date): Promise<number> {
    this.adminCalls.push(['retire_partitions', viewSet, instanceId, begin, end]);
    const retired = this.partitions.filter((p) => p.view_set_name === viewSet && p.view_instance_id === instanceId &&
      p.min_event_time >= begin && p.max_event_time < end);
    for (const p of retired) this.partitions.splice(this.partitions.indexOf(p), 1);
    return retired.length;
  }

  async threadStreams(processId: string): Promise<ThreadStream[]> {
    return this.threads.get(processId) ?? [];
  }

  /** No block payloads here: parse_block() is tested over the real lakehouse. */
  async readBlock(): Promise<undefined> {
    return undefined;
  }

  private set(name: string): ViewSetInfo {
    const set = this.sets.find((s) => s.name === name);
    if (!set) throw new QueryError('not_found', `unknown view set ${name}`);
    return set;
  }
}
