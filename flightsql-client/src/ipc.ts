import {
  Message, RecordBatchReader, Table, tableToIPC, type RecordBatch, type Schema,
} from 'apache-arrow';
import type { FlightData } from './proto.js';

/**
 * Arrow IPC ⇄ Flight. An IPC stream is a sequence of encapsulated messages (0xFFFFFFFF, int32 length,
 * flatbuffer header padded to 8 bytes, body); Flight carries each message as one FlightData with the
 * header and body split, without the framing.
 */

const CONTINUATION = 0xffffffff;
const EMPTY = new Uint8Array(0);

interface IpcMessage {
  header: Uint8Array;
  body: Uint8Array;
  message: Message;
}

function* readMessages(stream: Uint8Array): Generator<IpcMessage> {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let offset = 0;
  while (offset + 4 <= stream.byteLength) {
    let length = view.getInt32(offset, true);
    offset += 4;
    if (length === -1) {
      length = view.getInt32(offset, true);
      offset += 4;
    }
    if (length === 0) return; // end-of-stream marker
    const header = stream.subarray(offset, offset + length);
    offset += length;
    const message = Message.decode(header);
    const body = stream.subarray(offset, offset + message.bodyLength);
    offset += message.bodyLength;
    yield { header, body, message };
  }
}

/** Frames a flatbuffer header as an encapsulated IPC message prefix (continuation, length, padding). */
function framedHeader(header: Uint8Array): Uint8Array {
  const padded = (header.byteLength + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, padded, true);
  out.set(header, 8);
  return out;
}

/** A schema as FlightInfo.schema / SchemaResult / prepared statements carry it: one encapsulated message. */
export function serializeSchema(schema: Schema): Uint8Array {
  return framedHeader(Message.encode(Message.from(schema)));
}

export function deserializeSchema(bytes: Uint8Array): Schema {
  for (const { message } of readMessages(bytes)) {
    if (message.isSchema()) return message.header();
  }
  throw new Error('bytes hold no Arrow IPC schema message');
}

/**
 * The FlightData stream of a result: the schema, then per batch its dictionaries (replacing the previous
 * ones, as the IPC stream format allows) and the batch itself. One message per batch, never one per result.
 */
export async function* toFlightData(schema: Schema, batches: AsyncIterable<RecordBatch>): AsyncGenerator<FlightData> {
  yield { data_header: Message.encode(Message.from(schema)), data_body: EMPTY };
  for await (const batch of batches) {
    for (const { header, body, message } of readMessages(tableToIPC(new Table([batch]), 'stream'))) {
      if (!message.isSchema()) yield { data_header: header, data_body: body };
    }
  }
}

/** Turns received FlightData back into IPC stream bytes for apache-arrow's reader. */
async function* ipcBytes(messages: AsyncIterable<FlightData>): AsyncGenerator<Uint8Array> {
  for await (const { data_header: header, data_body: body } of messages) {
    if (!header || header.byteLength === 0) continue; // app_metadata-only messages carry no Arrow data
    yield framedHeader(header);
    if (body && body.byteLength > 0) yield body;
  }
}

/** Decodes a DoGet stream into record batches as they arrive. */
export async function readFlightData(messages: AsyncIterable<FlightData>): Promise<RecordBatchReader> {
  return RecordBatchReader.from(ipcBytes(messages));
}

const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** A result as one Arrow IPC stream, chunk by chunk (for HTTP: `application/vnd.apache.arrow.stream`). */
export async function* toIpcStream(schema: Schema, batches: AsyncIterable<RecordBatch>): AsyncGenerator<Uint8Array> {
  yield* ipcBytes(toFlightData(schema, batches));
  yield END_OF_STREAM;
}
