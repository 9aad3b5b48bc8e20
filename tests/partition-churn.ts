/**
 * For tests and benchmarks: the churn the scheduler makes in `lakehouse_partitions` and
 * `lakehouse_expired_files`, without building any file. Each view set gets a one-second partition per
 * second of a minute, then the minute partition that replaces them (their files expired); an
 * earlier minute's partitions can then be dropped, as an hour merge or retention would.
 */
import type { PartitionIndex } from '@micromegas/backend/views/partition-index';

export interface ChurnMinute {
  viewSets: readonly string[];
  /** The minute's start, ms since the epoch (a multiple of 60 000). */
  minuteMs: number;
  /** The start (ms) of a minute whose partitions are retired once this one is merged. */
  retireMinuteMs?: number;
}

export async function churnMinute(index: PartitionIndex, { viewSets, minuteMs, retireMinuteMs }: ChurnMinute): Promise<void> {
  const record = (viewSet: string, beginMs: number, seconds: number) => index.upsert({
    viewSet, instanceId: 'global', beginInsert: new Date(beginMs), endInsert: new Date(beginMs + seconds * 1000),
    minEventNs: BigInt(beginMs) * 1_000_000n, maxEventNs: BigInt(beginMs + seconds * 1000) * 1_000_000n,
    filePath: `views/${viewSet}/global/${beginMs}-${seconds}.parquet`, fileSize: 4096 * seconds, fileSchemaHash: 's',
    sourceDataHash: `${beginMs}`, numRows: 100 * seconds, carry: undefined,
  });
  for (let second = 0; second < 60; second++) {
    for (const viewSet of viewSets) await record(viewSet, minuteMs + second * 1000, 1);
  }
  for (const viewSet of viewSets) await record(viewSet, minuteMs, 60);
  if (retireMinuteMs === undefined) return;
  for (const viewSet of viewSets) await index.retire(viewSet, 'global', new Date(retireMinuteMs), new Date(retireMinuteMs + 60_000));
}
