// Builders for frame fields computed by the backend (as opposed to columns converted from Arrow).
import { Binary, Bool, Float64, TimestampNanosecond, Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import type { FieldKind, FrameField } from './frame.js';

function single(data: readonly Data[]): Data {
  if (data.length !== 1) {
    throw new Error(`expected one chunk, got ${data.length}`);
  }
  return data[0]!;
}

export function stringField(name: string, values: ReadonlyArray<string | null>): FrameField {
  return { name, kind: 'string', data: single(vectorFromArray(values as Array<string | null>, new Utf8()).data) };
}

export function numberField(name: string, values: Float64Array | ReadonlyArray<number | null>): FrameField {
  if (values instanceof Float64Array) {
    return { name, kind: 'number', data: makeData({ type: new Float64(), length: values.length, nullCount: 0, data: values }) };
  }
  return { name, kind: 'number', data: single(vectorFromArray(values as Array<number | null>, new Float64()).data) };
}

export function booleanField(name: string, values: ReadonlyArray<boolean | null>): FrameField {
  return { name, kind: 'boolean', data: single(vectorFromArray(values as Array<boolean | null>, new Bool()).data) };
}

/** Nanoseconds since the Unix epoch. */
export function timeField(name: string, nanos: BigInt64Array): FrameField {
  return { name, kind: 'time', data: makeData({ type: new TimestampNanosecond(), length: nanos.length, nullCount: 0, data: nanos }) };
}

/** Grafana's JSON field type: Arrow binary holding UTF-8 JSON, tstype "other". */
export function jsonField(name: string, values: readonly unknown[]): FrameField {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => (v === null || v === undefined ? null : encoder.encode(JSON.stringify(v, bigintAsNumber))));
  return { name, kind: 'other', data: single(vectorFromArray(encoded, new Binary()).data) };
}

export function withName(field: FrameField, name: string, kind: FieldKind = field.kind): FrameField {
  return { ...field, name, kind };
}

export function bigintAsNumber(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
