/**
 * OTLP values as our views keep them. Properties are text: an attribute's AnyValue becomes a string
 * (text as is, integers exactly in decimal, doubles as JavaScript prints them, booleans as
 * true/false, bytes in base64, arrays and key/value lists as JSON). Ids become lowercase hex.
 */
import { toBigInt, type AnyValue, type KeyValue } from './schema.js';

/** A bytes field as decoded (an unset one is protobufjs' shared empty default, not always a Uint8Array). */
function buffer(bytes: Uint8Array): Buffer {
  return bytes.length === 0 ? Buffer.alloc(0) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function hex(bytes: Uint8Array): string {
  return buffer(bytes).toString('hex');
}

function base64(bytes: Uint8Array): string {
  return buffer(bytes).toString('base64');
}

/** A nested value as JSON text (integers exact, even beyond 2^53; non-finite doubles as strings). */
function json(value: AnyValue | null | undefined): string {
  switch (value?.value) {
    case 'stringValue': return JSON.stringify(value.stringValue ?? '');
    case 'boolValue': return value.boolValue ? 'true' : 'false';
    case 'intValue': return toBigInt(value.intValue, true).toString();
    case 'doubleValue': {
      const d = value.doubleValue ?? 0;
      return Number.isFinite(d) ? JSON.stringify(d) : JSON.stringify(String(d));
    }
    case 'bytesValue': return JSON.stringify(base64(value.bytesValue ?? new Uint8Array()));
    case 'arrayValue': return `[${(value.arrayValue?.values ?? []).map(json).join(',')}]`;
    case 'kvlistValue': return `{${(value.kvlistValue?.values ?? []).map((kv) => `${JSON.stringify(kv.key)}:${json(kv.value)}`).join(',')}}`;
    default: return 'null'; // unset, or a profiles-only string-table index (absent for other signals)
  }
}

/** An attribute value or log body as text. */
export function valueText(value: AnyValue | null | undefined): string {
  switch (value?.value) {
    case 'stringValue': return value.stringValue ?? '';
    case 'boolValue': case 'intValue': case 'doubleValue': {
      const text = json(value);
      return text.startsWith('"') ? (JSON.parse(text) as string) : text;
    }
    case 'bytesValue': return base64(value.bytesValue ?? new Uint8Array());
    case 'arrayValue': case 'kvlistValue': return json(value);
    default: return '';
  }
}

/** Attributes as properties, in order; a repeated key keeps its last value. */
export function attributeMap(attributes: readonly KeyValue[], into = new Map<string, string>()): Map<string, string> {
  for (const kv of attributes) into.set(kv.key, valueText(kv.value));
  return into;
}

/** The text of one attribute, or undefined when absent. */
export function attribute(attributes: readonly KeyValue[], key: string): string | undefined {
  let found: string | undefined;
  for (const kv of attributes) if (kv.key === key) found = valueText(kv.value);
  return found;
}
