/**
 * Decodes one block payload on its own, in one pass, calling a visitor per event. Dependency
 * records become one object per id, so events of a block share descriptor identities.
 */
import { ByteReader } from './bytes.js';
import type { MetricDescriptor, SpanDescriptor } from './descriptors.js';
import type { BlockPayload, Properties } from './envelope.js';
import { WireFormatError, type BlockContext } from './errors.js';
import { DepKind, EventKind, FORMAT_VERSION, KIND_MASK, TAG_NEGATIVE, TAG_PROPERTIES } from './format.js';
import { uncompressSection } from './lz4.js';

export interface EventVisitor {
  log(ticks: number, level: number, target: string, msg: string, properties: Properties | undefined): void;
  measure(ticks: number, target: string, name: string, unit: string, value: number, properties: Properties | undefined): void;
  spanBegin(ticks: number, desc: SpanDescriptor): void;
  spanEnd(ticks: number, desc: SpanDescriptor): void;
  asyncBegin(ticks: number, spanId: number, parentSpanId: number, depth: number, desc: SpanDescriptor): void;
  asyncEnd(ticks: number, spanId: number, parentSpanId: number, depth: number, desc: SpanDescriptor): void;
}

type Dependency = string | SpanDescriptor | MetricDescriptor;

function readVersion(r: ByteReader): void {
  const version = r.u8();
  if (version !== FORMAT_VERSION) r.fail(`unsupported format version ${version} (this reader knows ${FORMAT_VERSION})`, 0);
}

function decodeDependencies(bytes: Uint8Array, context: BlockContext): { values: Dependency[]; kinds: number[] } {
  const r = new ByteReader(uncompressSection(bytes, 'dependencies', context), 'dependencies', context);
  readVersion(r);
  const values: Dependency[] = [];
  const kinds: number[] = [];
  const str = (): string => {
    const at = r.pos;
    const id = r.varint();
    if (kinds[id] !== DepKind.String) r.fail(`id ${id} is not a string defined earlier`, at);
    return values[id] as string;
  };
  while (!r.done) {
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case DepKind.String:
        values.push(r.string());
        break;
      case DepKind.SpanDesc: {
        const name = str();
        const target = str();
        const filename = str();
        values.push({ name, target, filename, line: r.varint() });
        break;
      }
      case DepKind.MetricDesc: {
        const name = str();
        const unit = str();
        values.push({ name, unit, target: str() });
        break;
      }
      default:
        r.fail(`unknown dependency kind ${kind}`, at);
    }
    kinds.push(kind);
  }
  return { values, kinds };
}

function readProperties(r: ByteReader): Properties {
  const n = r.varint();
  // Each property needs at least two bytes; a larger count is corrupt, not a reason to loop.
  if (n * 2 > r.buf.length - r.pos) r.fail(`property count ${n} overruns the section`);
  const props: Properties = {};
  for (let i = 0; i < n; i++) {
    const key = r.string();
    const value = r.string();
    // A plain assignment to `__proto__` would swap the prototype instead of storing the key.
    if (key === '__proto__') Object.defineProperty(props, key, { value, enumerable: true, writable: true, configurable: true });
    else props[key] = value;
  }
  return props;
}

/** Calls `visitor` for every event of the block, in order; returns the number of events. */
export function readBlockEvents(payload: BlockPayload, visitor: EventVisitor, context: BlockContext = {}): number {
  if (payload === null || typeof payload !== 'object') {
    throw new WireFormatError('payload is not a {dependencies, objects} map', 'payload', undefined, context);
  }
  const { values, kinds } = decodeDependencies(payload.dependencies, context);
  const r = new ByteReader(uncompressSection(payload.objects, 'objects', context), 'objects', context);
  readVersion(r);
  let ticks = r.wideZigzag();
  let count = 0;

  const ref = (kind: number, what: string): Dependency => {
    const at = r.pos;
    const id = r.varint();
    if (kinds[id] !== kind) r.fail(`event refers to id ${id}, which is not a ${what} of this block`, at);
    return values[id]!;
  };

  while (!r.done) {
    const at = r.pos;
    const tag = r.u8();
    ticks += r.zigzag();
    const kind = tag & KIND_MASK;
    const hasProps = (tag & TAG_PROPERTIES) !== 0;
    if ((tag & TAG_NEGATIVE) !== 0 && kind !== EventKind.IntMeasure) r.fail(`negative flag on event kind ${kind}`, at);
    if (hasProps && kind > EventKind.FloatMeasure) r.fail(`event kind ${kind} cannot carry properties`, at);
    switch (kind) {
      case EventKind.Log: {
        const level = r.u8();
        if (level < 1 || level > 6) r.fail(`log level ${level} outside 1..6`, at);
        const target = ref(DepKind.String, 'string') as string;
        const msg = r.string();
        visitor.log(ticks, level, target, msg, hasProps ? readProperties(r) : undefined);
        break;
      }
      case EventKind.IntMeasure:
      case EventKind.FloatMeasure: {
        const desc = ref(DepKind.MetricDesc, 'metric descriptor') as MetricDescriptor;
        let value: number;
        if (kind === EventKind.FloatMeasure) value = r.f64();
        else {
          const u = r.varint();
          value = (tag & TAG_NEGATIVE) !== 0 ? -1 - u : u;
        }
        visitor.measure(ticks, desc.target, desc.name, desc.unit, value, hasProps ? readProperties(r) : undefined);
        break;
      }
      case EventKind.SpanBegin:
        visitor.spanBegin(ticks, ref(DepKind.SpanDesc, 'span descriptor') as SpanDescriptor);
        break;
      case EventKind.SpanEnd:
        visitor.spanEnd(ticks, ref(DepKind.SpanDesc, 'span descriptor') as SpanDescriptor);
        break;
      case EventKind.AsyncBegin:
      case EventKind.AsyncEnd: {
        const desc = ref(DepKind.SpanDesc, 'span descriptor') as SpanDescriptor;
        const spanId = r.varint();
        const parentSpanId = r.varint();
        const depth = r.varint();
        if (kind === EventKind.AsyncBegin) visitor.asyncBegin(ticks, spanId, parentSpanId, depth, desc);
        else visitor.asyncEnd(ticks, spanId, parentSpanId, depth, desc);
        break;
      }
      default:
        r.fail(`unknown event kind ${kind}`, at);
    }
    count++;
  }
  return count;
}
