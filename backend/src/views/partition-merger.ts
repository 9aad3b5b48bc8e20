/**
 * Merging: one partition made from the partitions of the same view instance that tile its insert
 * range, by the view set's merge SQL over their rows (the table `source`): their union for views of
 * events, a re-aggregation for views of aggregates (log_stats sums its counts). Nothing is decoded
 * again: an hour is one file read from sixty, a day one from twenty-four.
 *
 * A union is a concatenation, not a re-sort (sorting millions of rows is most of a merge's cost): the
 * parts go in order of their earliest event, each in its own order (by time, or by block where it
 * spans a few seconds, see ./parquet-writer.ts), so the merged file's row groups overlap in time only
 * where the parts do (for live telemetry, by the second or so its blocks span), and time filters
 * still skip most of them. Parts whose row groups are full enough are not even decoded: their row
 * groups are copied into the merged file as they are (./parquet-concat.ts).
 */
import type { ViewSetInfo } from './catalog.js';
import type { PartitionBuilder } from './partition-builder.js';
import type { PartitionFiles } from './partition-files.js';
import type { StoredPartition } from './partition-index.js';
import { combineSourceHashes } from './source-hash.js';
import { castTo, overSource, parquetFiles, storedSchema } from './source-table.js';
import { PartitionBuildError } from './errors.js';
import { ROW_GROUP_ROWS } from './parquet-writer.js';

/** The merge SQL of views whose rows are events: all the rows of the parts. */
export const UNION_MERGE = 'SELECT * FROM source';

/**
 * Parts of this many rows or more on average are concatenated row group by row group: the merged
 * file's row groups are theirs, a quarter of ROW_GROUP_ROWS or more, which reads as well. Smaller
 * parts are rewritten into full row groups, where rewriting costs little anyway.
 */
export const CONCATENATED_PART_ROWS = ROW_GROUP_ROWS / 4;

export interface MergeSpec {
  info: ViewSetInfo;
  /** The view set's current schema hash: the parts have it, the merged partition gets it. */
  schemaHash: string;
  /** SELECT over `source` (the parts' rows) giving the merged partition's rows. */
  mergeSql: string;
}

export class PartitionMerger {
  constructor(private readonly builder: PartitionBuilder, private readonly files: PartitionFiles) {}

  async merge(spec: MergeSpec, instanceId: string, parts: readonly StoredPartition[], begin: Date, end: Date): Promise<void> {
    const { name, timeColumn } = spec.info;
    // JSON-stored columns are copied as they are: decoding them here would write them nested again.
    const schema = storedSchema(spec.info);
    // The merged partition stands for exactly the parts' sources: a block inserted meanwhile makes it stale, not lost.
    const sourceHash = combineSourceHashes(parts.map((p) => p.source_data_hash));
    if (sourceHash === undefined) {
      throw new PartitionBuildError(name, instanceId, begin, `cannot merge partitions built from differently derived sources (${parts.map((p) => p.source_data_hash).join(', ')})`);
    }
    const concatenate = spec.mergeSql === UNION_MERGE;
    const files = parts.filter((p) => p.has_file);
    const rows = files.reduce((sum, p) => sum + p.num_rows, 0);
    if (concatenate) files.sort((a, b) => a.min_event_ms - b.min_event_ms || a.begin_insert_time.getTime() - b.begin_insert_time.getTime());
    await this.builder.build(name, instanceId, begin, async () => {
      const paths = await Promise.all(files.map((p) => this.files.localPath(p.file_path)));
      return {
        viewSet: name, instanceId, beginInsert: begin, endInsert: end, tables: [],
        select: castTo(schema, overSource(schema, parquetFiles(schema, paths), spec.mergeSql)),
        timeColumn, rowOrder: concatenate ? 'selected' : 'time', sourceHash, schemaHash: spec.schemaHash,
        ...(concatenate && files.length > 0 && rows / files.length >= CONCATENATED_PART_ROWS ? { concatenate: paths } : {}),
      };
    });
  }
}
