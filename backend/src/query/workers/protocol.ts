/**
 * Messages between the server and its query worker processes (Node IPC, 'advanced' serialization:
 * Dates, bigints and byte arrays cross as they are). Arrow schemas and batches cross as IPC bytes.
 */
import { RecordBatchReader, RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { QueryError, type QueryErrorCode, type TimeRange } from '../engine.js';
import type { ViewSetInfo } from '../../views/catalog.js';
import type { SpillOptions } from '../../lake/spill-dirs.js';

/** What a worker opens its engine with (first message it receives). */
export interface WorkerInit {
  type: 'init';
  allowedDirs: string[];
  memoryLimit: string;
  threads?: number | undefined;
  spill?: SpillOptions | undefined;
  adminFunctions: boolean;
  rollups: boolean;
}

/** A view set as it crosses: its schema as Arrow IPC bytes. */
export type WireViewSet = Omit<ViewSetInfo, 'schema'> & { schema: Uint8Array };

export interface WireOptions {
  range: TimeRange;
  preserveDictionary: boolean;
  allowAdmin: boolean;
}

export type ToWorker =
  | WorkerInit
  | { type: 'schema' | 'query'; id: number; sql: string; options: WireOptions; viewSets: WireViewSet[] }
  /** The server consumed the last batch: send the next (one batch in flight per query). */
  | { type: 'more'; id: number }
  | { type: 'cancel'; id: number }
  | { type: 'answer'; call: number; value?: unknown; error?: WireError };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'schema'; id: number; schema: Uint8Array }
  | { type: 'batch'; id: number; batch: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: WireError }
  /** A catalog method the worker's engine called, for the server to run. */
  | { type: 'call'; call: number; method: string; args: unknown[] };

export interface WireError {
  code?: QueryErrorCode;
  message: string;
  sql?: string | undefined;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof QueryError) return { code: error.code, message: error.message, sql: error.sql };
  return { message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(wire: WireError): Error {
  return wire.code ? new QueryError(wire.code, wire.message, wire.sql) : new Error(wire.message);
}

export function schemaBytes(schema: Schema): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  writer.finish();
  return writer.toUint8Array(true);
}

export function batchBytes(batch: RecordBatch): Uint8Array {
  return RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
}

export function readSchema(bytes: Uint8Array): Schema {
  return RecordBatchReader.from(bytes).open().schema;
}

export function readBatch(bytes: Uint8Array): RecordBatch {
  const [batch] = RecordBatchReader.from(bytes).readAll();
  if (!batch) throw new Error('query worker sent an empty batch message');
  return batch;
}
