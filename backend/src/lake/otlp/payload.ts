/**
 * How an OTLP block's payload is kept in the object store, beside the SDK's blocks (in the same
 * packs, see ../telemetry/payload.ts): the CBOR encoding of a two-entry map
 * `{format: 'otlp/v1/<signal>', data: bytes}`, where `data` is a binary-protobuf
 * Export<Signal>ServiceRequest holding the resource(s) of one process, as accepted (rejected items
 * left out). `blocks.payload_size` is this encoding's size.
 */
import { encodeCbor } from '@micromegas/wire';
import type { Signal } from './schema.js';

export type OtlpFormat = `otlp/v1/${Signal}`;

export interface OtlpPayload {
  signal: Signal;
  /** A binary-protobuf Export<Signal>ServiceRequest. */
  data: Uint8Array;
}

export function otlpFormat(signal: Signal): OtlpFormat {
  return `otlp/v1/${signal}`;
}

export function encodeOtlpPayload(payload: OtlpPayload): Uint8Array {
  return encodeCbor({ format: otlpFormat(payload.signal), data: payload.data });
}

/** The signal of a stored `format`, or undefined when it is not an OTLP one. */
export function otlpSignalOf(format: unknown): Signal | undefined {
  switch (format) {
    case 'otlp/v1/traces': return 'traces';
    case 'otlp/v1/logs': return 'logs';
    case 'otlp/v1/metrics': return 'metrics';
    default: return undefined;
  }
}
