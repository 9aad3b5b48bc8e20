/**
 * OTLP/HTTP response bodies, in the encoding of the request (binary protobuf unless it was JSON):
 * Export<Signal>ServiceResponse on success (with `partial_success` when items were rejected), and
 * google.rpc.Status for every 4xx and 5xx.
 */
import type protobuf from 'protobufjs';
import { signals, statusType, type Signal } from '../../lake/otlp/schema.js';
import type { Acceptance } from './accept.js';
import type { Encoding } from './body.js';

function encode(type: protobuf.Type, value: object, encoding: Encoding): Buffer {
  const message = type.fromObject(value);
  if (encoding === 'json') return Buffer.from(JSON.stringify(type.toObject(message, { longs: String })));
  return Buffer.from(type.encode(message).finish());
}

export function exportResponse(signal: Signal, acceptance: Acceptance, encoding: Encoding): Buffer {
  const { response, rejectedField, items } = signals[signal];
  if (acceptance.rejected === 0) return encode(response, {}, encoding);
  const errorMessage = `${acceptance.rejected} ${items} rejected: ${acceptance.reasons}`;
  return encode(response, { partialSuccess: { [rejectedField]: acceptance.rejected, errorMessage } }, encoding);
}

export function statusResponse(code: number, message: string, encoding: Encoding): Buffer {
  return encode(statusType, { code, message }, encoding);
}
