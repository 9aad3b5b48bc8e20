// How Grafana's server hands a frame to the browser: a port of grafana-plugin-sdk-go's frame → JSON
// encoder (data/frame_json.go: writeDataFrame, writeDataFrameSchema, writeDataFrameData), which the
// query service runs on every frame it read from a plugin (/api/ds/query answers with it). The browser
// then rebuilds a DataFrame with @grafana/data's dataFrameFromJSON (used as is: it is Grafana's code).
// The rules that matter to a consumer:
//  - a time is written as whole milliseconds since the epoch (Go's t.UnixMilli(), i.e. floored), and
//    what is left below the millisecond goes to `data.nanos[field][row]`; `nanos` is present only when
//    some time has a remainder, with null for the fields that have none;
//  - NaN, +Inf and -Inf are not JSON: written as null, their rows listed in `data.entities[field]`;
//  - int64/uint64 are written as JSON integers (the browser's JSON.parse rounds them to doubles),
//    float32 with the fewest digits that read back as the same float32;
//  - json.RawMessage values are written as the JSON they hold;
//  - the schema field `type` is the TypeScript type name, `typeInfo` the Go one.

/** The frame as sdk-go holds it after UnmarshalArrowFrame (the shape arrowFrame.ts produces). */
export interface JsonableFrame {
  name: string;
  refId: string;
  meta?: Record<string, unknown>;
  fields: Array<{
    name: string;
    /** Go item type, `*` first when nullable (FieldType.ItemTypeString()). */
    type: string;
    nullable: boolean;
    tstype: string;
    labels?: Record<string, string>;
    config?: Record<string, unknown>;
    /** Times and 64-bit integers as bigint, json.RawMessage as its text, null for null. */
    values: unknown[];
  }>;
}

export class FrameJsonError extends Error {
  constructor(message: string) {
    super(`sdk-go cannot write this frame as JSON: ${message}`);
    this.name = 'FrameJsonError';
  }
}

const NS_PER_MS = 1_000_000n;

interface Entities {
  NaN?: number[];
  Inf?: number[];
  NegInf?: number[];
}

function entityOf(v: number): keyof Entities | undefined {
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (v === Infinity) {
    return 'Inf';
  }
  return v === -Infinity ? 'NegInf' : undefined;
}

/** Go writes a float32 with the fewest digits that read back as the same float32. */
function float32Text(v: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(v.toPrecision(digits));
    if (Math.fround(shortest) === v) {
      return String(shortest);
    }
  }
  return String(v);
}

function writeSchema(frame: JsonableFrame): string {
  const parts: string[] = [];
  if (frame.name.length > 0) {
    parts.push(`"name":${JSON.stringify(frame.name)}`);
  }
  if (frame.refId.length > 0) {
    parts.push(`"refId":${JSON.stringify(frame.refId)}`);
  }
  if (frame.meta !== undefined) {
    parts.push(`"meta":${JSON.stringify(frame.meta)}`);
  }
  const fields = frame.fields.map((f) => {
    const out: string[] = [];
    if (f.name.length > 0) {
      out.push(`"name":${JSON.stringify(f.name)}`);
    }
    out.push(`"type":${JSON.stringify(f.tstype)}`);
    const typeInfo: Record<string, unknown> = { frame: f.type.replace(/^\*/, '') };
    if (f.nullable) {
      typeInfo.nullable = true;
    }
    out.push(`"typeInfo":${JSON.stringify(typeInfo)}`);
    if (f.labels !== undefined) {
      out.push(`"labels":${JSON.stringify(f.labels)}`);
    }
    if (f.config !== undefined) {
      out.push(`"config":${JSON.stringify(f.config)}`);
    }
    return `{${out.join(',')}}`;
  });
  parts.push(`"fields":[${fields.join(',')}]`);
  return `{${parts.join(',')}}`;
}

function writeData(frame: JsonableFrame): string {
  const rows = frame.fields[0]?.values.length ?? 0;
  const mismatched = frame.fields.find((f) => f.values.length !== rows);
  if (mismatched) {
    throw new FrameJsonError(
      `frame has different field lengths (field "${mismatched.name}": ${mismatched.values.length}, expected ${rows})`,
    );
  }
  const entities: Array<Entities | null> = [];
  const nanos: Array<number[] | null> = [];
  const values = frame.fields.map((f) => {
    const isTime = f.tstype === 'time';
    const isFloat = /^\*?float(32|64)$/.test(f.type);
    const isFloat32 = /^\*?float32$/.test(f.type);
    const isJson = /^\*?json\.RawMessage$/.test(f.type);
    let fieldNanos: number[] | null = null;
    let fieldEntities: Entities | null = null;
    const cells = f.values.map((v, row) => {
      if (v === null || v === undefined) {
        return 'null';
      }
      if (isTime) {
        const ns = v as bigint;
        // Floor division: Go's UnixMilli and Truncate(time.Millisecond) both round towards the past.
        let ms = ns / NS_PER_MS;
        if (ns < 0n && ms * NS_PER_MS !== ns) {
          ms -= 1n;
        }
        const rest = Number(ns - ms * NS_PER_MS);
        if (rest !== 0) {
          fieldNanos ??= new Array<number>(rows).fill(0);
          fieldNanos[row] = rest;
        }
        return ms.toString();
      }
      if (isFloat) {
        const entity = entityOf(v as number);
        if (entity) {
          fieldEntities ??= {};
          (fieldEntities[entity] ??= []).push(row);
          return 'null';
        }
        if (isFloat32) {
          return float32Text(v as number);
        }
      }
      if (isJson) {
        return v as string;
      }
      return typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
    });
    nanos.push(fieldNanos);
    entities.push(fieldEntities);
    return `[${cells.join(',')}]`;
  });
  let out = `{"values":[${values.join(',')}]`;
  if (entities.some((e) => e !== null)) {
    out += `,"entities":${JSON.stringify(entities)}`;
  }
  if (nanos.some((n) => n !== null)) {
    out += `,"nanos":${JSON.stringify(nanos)}`;
  }
  return `${out}}`;
}

/** The JSON text sdk-go writes for a frame (schema and data), as the browser receives it. */
export function frameToJson(frame: JsonableFrame): string {
  return `{"schema":${writeSchema(frame)},"data":${writeData(frame)}}`;
}
