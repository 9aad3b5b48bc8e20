import type { RecordBatch } from 'apache-arrow';

/**
 * gRPC peers refuse messages above a receive limit (4 MiB by default in tonic and grpc-js), so a batch
 * whose buffers exceed `maxBytes` is sent as several row slices.
 */
export async function* boundedBatches(batches: AsyncIterable<RecordBatch>, maxBytes: number): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    const pieces = Math.min(batch.numRows, Math.ceil(batch.data.byteLength / maxBytes));
    if (pieces <= 1) {
      yield batch;
      continue;
    }
    const rows = Math.ceil(batch.numRows / pieces);
    for (let start = 0; start < batch.numRows; start += rows) yield batch.slice(start, start + rows);
  }
}
