// Row-level access to frame fields, for the formats that reshape rows (grouping, trees, JSON attributes).
import { makeVector, vectorFromArray, type Data } from 'apache-arrow';
import { stringField, timeField } from './build.js';
import type { FrameField } from './frame.js';

/** Nanosecond timestamps of a `time` field (frame fields always start at offset 0). */
export function nanos(field: FrameField): BigInt64Array {
  return (field.data.values as BigInt64Array).subarray(0, field.data.length);
}

export function values(field: FrameField): unknown[] {
  if (field.kind === 'time') {
    return Array.from(nanos(field), (v, i) => (field.data.getValid(i) ? v : null));
  }
  if (field.kind === 'other') {
    const decoder = new TextDecoder();
    return Array.from(makeVector(field.data), (v) => (v === null ? null : JSON.parse(decoder.decode(v as Uint8Array))));
  }
  return Array.from(makeVector(field.data));
}

export function numbers(field: FrameField): Float64Array {
  if (field.kind === 'time') {
    return Float64Array.from(nanos(field), Number);
  }
  return Float64Array.from(makeVector(field.data), (v) => (v === null ? NaN : Number(v)));
}

/** Gathers rows `indices` of a field into a new field of the same type. */
export function take(field: FrameField, indices: ArrayLike<number>): FrameField {
  let data: Data;
  if (field.kind === 'time') {
    const source = nanos(field);
    const gathered = new BigInt64Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      gathered[i] = source[indices[i]!]!;
    }
    data = timeField(field.name, gathered).data;
  } else {
    const vector = makeVector(field.data);
    const gathered = Array.from({ length: indices.length }, (_, i) => vector.get(indices[i]!));
    data = vectorFromArray(gathered as never[], field.data.type).data[0]!;
  }
  return { ...field, data };
}

/** The field renamed, as strings (Grafana reads string fields as-is; other kinds are printed). */
export function asStrings(field: FrameField, name: string): FrameField {
  if (field.kind === 'string') {
    return { ...field, name };
  }
  return stringField(
    name,
    values(field).map((v) => (v === null || v === undefined ? null : String(v))),
  );
}

/** Milliseconds since the epoch of a `time` field, split before converting so sub-ms digits survive. */
export function millis(field: FrameField): Float64Array {
  return Float64Array.from(nanos(field), (ns) => Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6);
}
