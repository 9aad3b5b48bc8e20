/**
 * The last step of every partition build: write the rows as Parquet, publish the file to the object
 * store, and record the partition (replacing the one of the same key). A failure names the
 * partition and keeps its cause.
 */
import { randomUUID } from 'node:crypto';
import type { StagedTable } from '../etl/staged.js';
import type { PartitionIndex } from './partition-index.js';
import { PartitionFiles } from './partition-files.js';
import type { ParquetWriter, WriteRequest, WriteResult } from './parquet-writer.js';
import { PartitionBuildError } from './errors.js';
import { concatenateParquet, ParquetConcatError } from './parquet-concat.js';

export interface PartitionSpec {
  viewSet: string;
  instanceId: string;
  beginInsert: Date;
  endInsert: Date;
  /** Staged tables and the SELECT over them giving the view's rows. */
  tables: readonly StagedTable[];
  select: string;
  timeColumn: string;
  /** See WriteRequest.rowOrder. */
  rowOrder?: WriteRequest['rowOrder'];
  /**
   * Local Parquet files whose rows, file after file, are the partition's rows exactly as `select`
   * gives them: their row groups are copied as they are where their footers allow
   * (./parquet-concat.ts), else `select` is written.
   */
  concatenate?: readonly string[];
  sourceHash: string;
  schemaHash: string;
  /** What the next partition of the instance starts from (chained sets), else null. */
  carry?: unknown;
}

export interface BuildResult extends WriteResult {
  recorded: boolean;
}

export class PartitionBuilder {
  constructor(
    private readonly writer: ParquetWriter,
    private readonly files: PartitionFiles,
    private readonly index: PartitionIndex,
  ) {}

  /**
   * Runs `prepare` (which gathers the rows) and records what it returns, as one failure unit.
   * `recorded` is false when a concurrent writer covered part of the range first (see PartitionIndex.upsert).
   */
  async build(viewSet: string, instanceId: string, beginInsert: Date, prepare: () => Promise<PartitionSpec>): Promise<BuildResult> {
    try {
      return await this.#record(await prepare());
    } catch (err) {
      throw new PartitionBuildError(viewSet, instanceId, beginInsert, err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  async #record(spec: PartitionSpec): Promise<BuildResult> {
    await this.files.ensureScratchDir();
    const scratch = this.files.scratchPath(`${randomUUID()}.parquet`);
    const written = await this.#write(spec, scratch);
    let filePath: string | null = null;
    let fileSize = 0;
    if (written.numRows > 0) {
      filePath = PartitionFiles.key(spec.viewSet, spec.instanceId, spec.beginInsert, spec.endInsert);
      await this.index.reserve(filePath);
      fileSize = await this.files.publish(filePath, scratch);
    }
    // A partition without rows is recorded too (so it is not rebuilt), its times at its insert start.
    const fallbackNs = BigInt(spec.beginInsert.getTime()) * 1_000_000n;
    const recorded = await this.index.upsert({
      viewSet: spec.viewSet, instanceId: spec.instanceId, beginInsert: spec.beginInsert, endInsert: spec.endInsert,
      minEventNs: written.minEventNs ?? fallbackNs, maxEventNs: written.maxEventNs ?? fallbackNs,
      filePath, fileSize, fileSchemaHash: spec.schemaHash, sourceDataHash: spec.sourceHash, numRows: written.numRows,
      carry: spec.carry ?? null,
    });
    return { ...written, recorded };
  }

  async #write(spec: PartitionSpec, path: string): Promise<WriteResult> {
    if (spec.concatenate !== undefined && spec.concatenate.length > 0) {
      try {
        return await concatenateParquet(spec.concatenate, path, spec.timeColumn);
      } catch (err) {
        // Files a footer cannot join (schemas written differently, page indexes): their rows are rewritten.
        if (!(err instanceof ParquetConcatError)) throw err;
      }
    }
    return this.writer.write({ tables: spec.tables, select: spec.select, timeColumn: spec.timeColumn, rowOrder: spec.rowOrder, path });
  }
}
