/**
 * Corrupt blocks (docs/wire-format.md, "Corrupt blocks"): a block whose payload does not decode
 * contributes no row to any view (ViewBuilder takes back what its valid prefix produced) and is
 * reported once per process: a warning naming its ids, and a count in the backend's own telemetry.
 */

export interface SkippedBlock {
  /** The view set whose build met it first. */
  viewSet: string;
  block: { block_id: string; stream_id: string; process_id: string };
  error: Error;
}

/** What a skipped block is reported to: the part of the backend's self-telemetry it uses. */
export interface SkipTelemetry {
  metrics: { imetric(name: string, unit: string, value: number, properties?: Readonly<Record<string, unknown>>): void };
  log(level: 'warn', target: string, msg: string): void;
}

/** The measure counting corrupt blocks (1 per block, labelled with the view set), and the log target. */
export const CORRUPT_BLOCKS_METRIC = 'etl_corrupt_blocks';
export const ETL_LOG_TARGET = 'micromegas::etl';
/** Block ids remembered as reported; beyond, the oldest may be reported again. */
const REMEMBERED = 10_000;

/**
 * A handler for skipped blocks: each block once (rebuilds of its segment and other view sets meet it
 * again), as a line for `print` (the console) and for the telemetry's log, and as a count.
 */
export function reportSkippedBlocks(telemetry: SkipTelemetry, print: (line: string) => void): (skip: SkippedBlock) => void {
  const reported = new Set<string>();
  return ({ viewSet, block, error }) => {
    if (reported.has(block.block_id)) return;
    if (reported.size >= REMEMBERED) reported.delete(reported.values().next().value!);
    reported.add(block.block_id);
    const line = `etl: corrupt block ${block.block_id} (stream ${block.stream_id}, process ${block.process_id}) skipped `
      + `while building ${viewSet}; it contributes no row to any view: ${error.message}`;
    print(line);
    telemetry.log('warn', ETL_LOG_TARGET, line);
    telemetry.metrics.imetric(CORRUPT_BLOCKS_METRIC, 'count', 1, { view_set: viewSet });
  };
}
