/**
 * Arrow schemas of the view sets, as clients see them (python-client-readme.md plus issue 3's
 * columns). Repetitive strings are Dictionary(Int16, Utf8); times are nanoseconds UTC.
 */
import { Binary, Dictionary, Field, Float64, Int16, Int32, Int64, List, Schema, Struct, TimestampNanosecond, Uint32, Utf8, type DataType } from 'apache-arrow';

const dict = (): DataType => new Dictionary(new Utf8(), new Int16());
const utf8 = (): DataType => new Utf8();
const time = (): DataType => new TimestampNanosecond('+00:00');
const properties = (): DataType => new List(new Field('Property', new Struct([
  new Field('key', new Utf8(), false),
  new Field('value', new Utf8(), false),
]), false));
const tags = (): DataType => new List(new Field('tag', new Utf8(), false));

function schema(fields: [string, () => DataType, boolean?][]): Schema {
  return new Schema(fields.map(([name, type, nullable]) => new Field(name, type(), nullable ?? false)));
}

const leading: [string, () => DataType][] = [
  ['process_id', dict], ['stream_id', dict], ['block_id', dict], ['insert_time', time],
  ['exe', dict], ['username', dict], ['computer', dict], ['time', time], ['target', dict],
];

export const logEntriesSchema = schema([...leading, ['level', () => new Int32()], ['msg', utf8], ['properties', properties], ['process_properties', properties]]);

export const measuresSchema = schema([...leading, ['name', dict], ['unit', dict], ['value', () => new Float64()], ['properties', properties], ['process_properties', properties]]);

export const threadSpansSchema = schema([
  ['id', () => new Int64()], ['parent', () => new Int64()], ['depth', () => new Uint32()], ['hash', () => new Uint32()],
  ['begin', time], ['end', time], ['duration', () => new Int64()],
  ['name', dict], ['target', dict], ['filename', dict], ['line', () => new Uint32()],
]);

export const asyncEventsSchema = schema([
  ['stream_id', dict], ['block_id', dict], ['time', time], ['event_type', dict],
  ['span_id', () => new Int64()], ['parent_span_id', () => new Int64()], ['depth', () => new Uint32()], ['hash', () => new Uint32()],
  ['name', dict], ['filename', dict], ['target', dict], ['line', () => new Uint32()],
]);

/** As micromegas' otel_spans, with W3C ids as lowercase hex text and events and links typed. */
export const otelSpansSchema = schema([
  ['process_id', dict], ['stream_id', dict], ['block_id', dict], ['insert_time', time],
  ['exe', dict], ['username', dict], ['computer', dict], ['process_properties', properties],
  ['trace_id', utf8], ['span_id', utf8], ['parent_span_id', utf8, true],
  ['start_time', time], ['end_time', time], ['duration', () => new Int64()],
  ['name', dict], ['kind', dict], ['status', dict], ['status_message', utf8, true],
  ['properties', properties],
  ['events', () => new List(new Field('event', new Struct([
    new Field('time', time(), false), new Field('name', new Utf8(), false), new Field('attributes', properties(), false),
  ]), false))],
  ['links', () => new List(new Field('link', new Struct([
    new Field('trace_id', new Utf8(), false), new Field('span_id', new Utf8(), false),
    new Field('trace_state', new Utf8(), false), new Field('attributes', properties(), false),
  ]), false))],
]);

export const logStatsSchema = schema([
  ['time_bin', time], ['process_id', dict], ['level', () => new Int32()], ['target', dict], ['count', () => new Int64()],
]);

export const measureStatsSchema = schema([
  ['time_bin', time], ['process_id', dict], ['exe', dict], ['target', dict], ['name', dict], ['unit', dict],
  ['count', () => new Int64()], ['sum', () => new Float64()], ['min', () => new Float64()], ['max', () => new Float64()],
]);

const processColumns: [string, () => DataType, boolean?][] = [
  ['process_id', utf8], ['exe', utf8], ['username', utf8], ['realname', utf8], ['computer', utf8], ['distro', utf8],
  ['cpu_brand', utf8], ['tsc_frequency', () => new Int64()], ['start_time', time], ['start_ticks', () => new Int64()],
  ['insert_time', time], ['parent_process_id', utf8], ['properties', properties],
];

export const processesSchema = schema(processColumns);

export const streamsSchema = schema([
  ['stream_id', utf8], ['process_id', utf8], ['dependencies_metadata', () => new Binary()], ['objects_metadata', () => new Binary()],
  ['tags', tags, true], ['properties', properties], ['insert_time', time],
]);

export const blocksSchema = schema([
  ['block_id', utf8], ['stream_id', utf8], ['process_id', utf8], ['begin_time', time], ['begin_ticks', () => new Int64()],
  ['end_time', time], ['end_ticks', () => new Int64()], ['nb_objects', () => new Int32()], ['object_offset', () => new Int64()],
  ['payload_size', () => new Int64()], ['insert_time', time],
  ['streams.dependencies_metadata', () => new Binary()], ['streams.objects_metadata', () => new Binary()],
  ['streams.tags', tags, true], ['streams.properties', properties],
  ['processes.start_time', time], ['processes.start_ticks', () => new Int64()], ['processes.tsc_frequency', () => new Int64()],
  ['processes.exe', utf8], ['processes.username', utf8], ['processes.realname', utf8], ['processes.computer', utf8],
  ['processes.distro', utf8], ['processes.cpu_brand', utf8], ['processes.insert_time', time],
  ['processes.parent_process_id', utf8], ['processes.properties', properties],
]);
