// How Grafana reads a frame a plugin returns: a port of grafana-plugin-sdk-go's data.UnmarshalArrowFrame
// (data/arrow.go), which Grafana runs on every DataResponse frame (backend.FromProto().QueryDataResponse)
// before anything else sees it. Its rules, enforced here:
//  - each frame is an Arrow IPC *file* (ipc.NewFileReader), not a stream;
//  - schema metadata `name`, `refId` and `meta` (FrameMeta JSON, decoded with Go's types);
//  - field metadata `labels` (a JSON object of strings) and `config` (FieldConfig JSON); `tstype` is
//    only read to tell enums (uint16) from numbers;
//  - only these Arrow types: utf8, utf8-view, int8…int64, uint8…uint64, float32/64, bool, timestamp
//    (read as nanoseconds whatever its unit), binary (json.RawMessage); any other fails the response;
//  - nullability comes from the field's `nullable` flag alone.
// Where Go would not fail but would silently show something else, this port fails too, so a test
// sees it: a timestamp in another unit than nanoseconds, nulls in a field not marked nullable,
// binary values that are not JSON, meta or config keys Go drops, a `tstype` other than the one
// sdk-go's MarshalArrow writes for the type.
import { DataType, RecordBatchReader, TimeUnit, Type, type Field, type Vector } from 'apache-arrow';

/** sdk-go's FieldType, as FieldType.ItemTypeString() names it (`*` = nullable). */
export type GoFieldType = string;

export interface SdkField {
  name: string;
  type: GoFieldType;
  nullable: boolean;
  /** What the browser's JSON schema will call the type (sdk-go getTypeScriptTypeString). */
  tstype: 'time' | 'number' | 'boolean' | 'string' | 'enum' | 'other';
  labels?: Record<string, string>;
  config?: Record<string, unknown>;
  /** Numbers; int64/uint64 and times (ns since the epoch) as bigint; json.RawMessage as its JSON text; null. */
  values: unknown[];
}

export interface SdkFrame {
  name: string;
  refId: string;
  meta?: Record<string, unknown>;
  fields: SdkField[];
}

export class FrameUnmarshalError extends Error {
  constructor(message: string) {
    super(`sdk-go would not read this frame as sent: ${message}`);
    this.name = 'FrameUnmarshalError';
  }
}

const GO_TYPES: Partial<Record<Type, { go: string; tstype: SdkField['tstype'] }>> = {
  [Type.Utf8]: { go: 'string', tstype: 'string' },
  [Type.Utf8View]: { go: 'string', tstype: 'string' },
  [Type.Bool]: { go: 'bool', tstype: 'boolean' },
  [Type.Timestamp]: { go: 'time.Time', tstype: 'time' },
  [Type.Binary]: { go: 'json.RawMessage', tstype: 'other' },
};

function goType(field: Field): { go: string; tstype: SdkField['tstype'] } {
  const type = field.type as DataType;
  if (DataType.isInt(type)) {
    const go = `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}`;
    if (go === 'uint16' && field.metadata.get('tstype') === 'enum') {
      return { go: 'enum', tstype: 'enum' };
    }
    return { go, tstype: 'number' };
  }
  if (DataType.isFloat(type) && type.precision !== 0) {
    return { go: `float${type.precision === 1 ? 32 : 64}`, tstype: 'number' };
  }
  const known = GO_TYPES[type.typeId];
  if (!known) {
    throw new FrameUnmarshalError(`unsupported conversion from arrow to sdk type for arrow type ${String(type)} (field "${field.name}")`);
  }
  if (DataType.isTimestamp(type) && type.unit !== TimeUnit.NANOSECOND) {
    throw new FrameUnmarshalError(`field "${field.name}": sdk-go reads timestamps as nanoseconds; this one is in ${TimeUnit[type.unit]}`);
  }
  return known;
}

type Kind = 'string' | 'number' | 'integer' | 'uint' | 'bool' | 'object' | 'array' | 'any';

function check(where: string, value: unknown, kind: Kind): void {
  if (value === null || kind === 'any') {
    return; // Go leaves the zero value for JSON null
  }
  const ok =
    kind === 'string'
      ? typeof value === 'string'
      : kind === 'number'
        ? typeof value === 'number'
        : kind === 'integer'
          ? Number.isInteger(value)
          : kind === 'uint'
            ? Number.isInteger(value) && (value as number) >= 0
            : kind === 'bool'
              ? typeof value === 'boolean'
              : kind === 'array'
                ? Array.isArray(value)
                : typeof value === 'object' && !Array.isArray(value);
  if (!ok) {
    throw new FrameUnmarshalError(`${where}: cannot unmarshal ${JSON.stringify(value)} into a Go ${kind}`);
  }
}

/** Go's encoding/json into a struct: the keys it knows, with their types; `extra` checks nested values. */
function decodeStruct(where: string, value: unknown, keys: Record<string, Kind>, extra: Record<string, (v: unknown) => void> = {}): void {
  check(where, value, 'object');
  for (const [key, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    const kind = keys[key];
    if (!kind) {
      throw new FrameUnmarshalError(`${where}: sdk-go drops the key "${key}"`);
    }
    check(`${where}.${key}`, v, kind);
    extra[key]?.(v);
  }
}

const FIELD_CONFIG: Record<string, Kind> = {
  displayName: 'string',
  displayNameFromDS: 'string',
  path: 'string',
  description: 'string',
  filterable: 'bool',
  writeable: 'bool',
  unit: 'string',
  decimals: 'uint',
  min: 'number',
  max: 'number',
  interval: 'number',
  mappings: 'array',
  thresholds: 'object',
  color: 'object',
  links: 'array',
  noValue: 'string',
  type: 'object',
  custom: 'object',
};

function decodeFieldConfig(where: string, config: unknown): void {
  decodeStruct(where, config, FIELD_CONFIG, {
    decimals: (v) => {
      if (typeof v === 'number' && v > 0xffff) {
        throw new FrameUnmarshalError(`${where}.decimals: ${v} overflows a Go uint16`);
      }
    },
  });
}

function decodeFrameMeta(json: string): Record<string, unknown> {
  const meta = parseJson('frame meta', json);
  decodeStruct(
    'meta',
    meta,
    {
      type: 'string',
      typeVersion: 'array',
      path: 'string',
      pathSeparator: 'string',
      custom: 'any',
      stats: 'array',
      notices: 'array',
      channel: 'string',
      preferredVisualisationType: 'string',
      preferredVisualisationPluginId: 'string',
      executedQueryString: 'string',
      dataTopic: 'string',
      uniqueRowIdFields: 'array',
    },
    {
      // FrameTypeVersion is a Go [2]uint.
      typeVersion: (v) => (v as unknown[]).forEach((n, i) => check(`meta.typeVersion[${i}]`, n, 'uint')),
      notices: (v) =>
        (v as unknown[]).forEach((notice, i) => {
          decodeStruct(`meta.notices[${i}]`, notice, { severity: 'string', text: 'string', link: 'string', inspect: 'integer' });
          const severity = (notice as { severity?: unknown }).severity;
          if (!['info', 'warning', 'error'].includes(severity as string)) {
            throw new FrameUnmarshalError(`meta.notices[${i}]: unrecognized notice severity ${String(severity)}`);
          }
        }),
      stats: (v) =>
        (v as unknown[]).forEach((stat, i) => {
          const { value, ...config } = stat as Record<string, unknown>;
          check(`meta.stats[${i}].value`, value, 'number');
          decodeFieldConfig(`meta.stats[${i}]`, config);
        }),
      uniqueRowIdFields: (v) => (v as unknown[]).forEach((n, i) => check(`meta.uniqueRowIdFields[${i}]`, n, 'integer')),
    },
  );
  return meta as Record<string, unknown>;
}

function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FrameUnmarshalError(`${where} is not JSON: ${(e as Error).message}`);
  }
}

function columnValues(field: Field, go: string, vector: Vector): unknown[] {
  const out = new Array<unknown>(vector.length);
  const decoder = new TextDecoder();
  let row = 0;
  for (const chunk of vector.data) {
    for (let i = 0; i < chunk.length; i++, row++) {
      if (!chunk.getValid(i)) {
        if (!field.nullable) {
          throw new FrameUnmarshalError(`field "${field.name}" is not nullable but row ${row} is null: Grafana would show a zero value`);
        }
        out[row] = null;
        continue;
      }
      if (go === 'time.Time') {
        out[row] = (chunk.values as BigInt64Array)[i]!; // a sliced chunk's buffers start at its first row
      } else if (go === 'json.RawMessage') {
        const text = decoder.decode(vector.get(row) as Uint8Array);
        parseJson(`field "${field.name}" row ${row}`, text);
        out[row] = text;
      } else {
        out[row] = vector.get(row);
      }
    }
  }
  return out;
}

export function unmarshalArrowFrame(bytes: Uint8Array): SdkFrame {
  let reader;
  try {
    reader = RecordBatchReader.from(bytes).open();
  } catch (e) {
    throw new FrameUnmarshalError(`not Arrow IPC: ${(e as Error).message}`);
  }
  if (!reader.isFile()) {
    throw new FrameUnmarshalError('an Arrow IPC stream, where sdk-go reads the IPC file format');
  }
  const schema = reader.schema;
  const batches = [...reader];
  const metaJson = schema.metadata.get('meta');
  const frame: SdkFrame = {
    name: schema.metadata.get('name') ?? '',
    refId: schema.metadata.get('refId') ?? '',
    fields: [],
    ...(metaJson !== undefined ? { meta: decodeFrameMeta(metaJson) } : {}),
  };
  schema.fields.forEach((field, index) => {
    const { go, tstype } = goType(field);
    const written = field.metadata.get('tstype');
    if (written !== undefined && written !== tstype) {
      throw new FrameUnmarshalError(
        `field "${field.name}": tstype "${written}", where sdk-go writes "${tstype}" for ${String(field.type)}`,
      );
    }
    const sdkField: SdkField = { name: field.name, type: field.nullable ? `*${go}` : go, nullable: field.nullable, tstype, values: [] };
    const labels = field.metadata.get('labels');
    if (labels !== undefined) {
      const parsed = parseJson(`field "${field.name}" labels`, labels);
      // data.Labels is a Go map[string]string.
      check(`field "${field.name}" labels`, parsed, 'object');
      Object.entries((parsed ?? {}) as Record<string, unknown>).forEach(([k, v]) =>
        check(`field "${field.name}" labels.${k}`, v, 'string'),
      );
      if (parsed !== null) {
        sdkField.labels = parsed as Record<string, string>;
      }
    }
    const config = field.metadata.get('config');
    if (config !== undefined) {
      const parsed = parseJson(`field "${field.name}" config`, config);
      decodeFieldConfig(`field "${field.name}" config`, parsed);
      sdkField.config = (parsed ?? {}) as Record<string, unknown>;
    }
    for (const batch of batches) {
      sdkField.values.push(...columnValues(field, go, batch.getChildAt(index)!));
    }
    frame.fields.push(sdkField);
  });
  return frame;
}

/** A field by name, failing loudly (test helper). */
export function sdkField(frame: SdkFrame, name: string): SdkField {
  const field = frame.fields.find((f) => f.name === name);
  if (!field) {
    throw new Error(`frame "${frame.name}" has no field "${name}" (fields: ${frame.fields.map((f) => f.name).join(', ')})`);
  }
  return field;
}
