// Frame → Arrow IPC file, laid out as grafana-plugin-sdk-go's Frame.MarshalArrow writes it:
// schema metadata `name`, `refId` and `meta` (JSON); per field `tstype`, and `labels`/`config` as JSON.
import { Field, RecordBatch, Schema, Struct, Table, makeData, tableToIPC } from 'apache-arrow';
import type { Frame } from './frame.js';

export class FrameShapeError extends Error {
  constructor(
    readonly frameName: string,
    message: string,
  ) {
    super(`frame "${frameName}": ${message}`);
    this.name = 'FrameShapeError';
  }
}

export function encodeFrame(frame: Frame): Uint8Array {
  const length = frame.fields[0]?.data.length ?? 0;
  const fields = frame.fields.map((f) => {
    if (f.data.length !== length) {
      throw new FrameShapeError(frame.name, `field "${f.name}" has ${f.data.length} rows, expected ${length}`);
    }
    const metadata = new Map<string, string>([['tstype', f.kind]]);
    if (f.labels) {
      metadata.set('labels', JSON.stringify(f.labels));
    }
    if (f.config) {
      metadata.set('config', JSON.stringify(f.config));
    }
    return new Field(f.name, f.data.type, f.data.nullCount > 0, metadata);
  });
  const schemaMetadata = new Map<string, string>([
    ['name', frame.name],
    ['refId', frame.refId],
  ]);
  if (frame.meta) {
    schemaMetadata.set('meta', JSON.stringify(frame.meta));
  }
  const schema = new Schema(fields, schemaMetadata);
  const batchData = makeData({ type: new Struct(fields), length, nullCount: 0, children: frame.fields.map((f) => f.data) });
  return tableToIPC(new Table(schema, [new RecordBatch(schema, batchData)]), 'file');
}
