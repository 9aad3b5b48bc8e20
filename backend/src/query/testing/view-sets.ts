import { Dictionary, Field, Int16, Int32, Int64, List, Schema, Struct, TimestampNanosecond, Uint32, Utf8 } from 'apache-arrow';
import type { ViewSetInfo } from '../../views/catalog.js';

/** Test and benchmark stand-ins for the lakehouse's view sets (same shapes as the reference schemas). */
const dict = () => new Dictionary(new Utf8(), new Int16());
const time = () => new TimestampNanosecond('+00:00');
const properties = () => new List(new Field('Property', new Struct([
  new Field('key', new Utf8(), false), new Field('value', new Utf8(), false),
]), false));

export const LOG_ENTRIES: ViewSetInfo = {
  name: 'log_entries',
  hasGlobal: true,
  instanceKind: 'process_id',
  timeColumn: 'time',
  schema: new Schema([
    new Field('process_id', dict(), false),
    new Field('exe', dict(), false),
    new Field('time', time(), false),
    new Field('target', dict(), false),
    new Field('level', new Int32(), false),
    new Field('msg', new Utf8(), false),
    new Field('properties', properties(), false),
  ]),
};

export const THREAD_SPANS: ViewSetInfo = {
  name: 'thread_spans',
  hasGlobal: false,
  instanceKind: 'stream_id',
  timeColumn: 'begin',
  schema: new Schema([
    new Field('id', new Int64(), false),
    new Field('parent', new Int64(), false),
    new Field('depth', new Uint32(), false),
    new Field('hash', new Uint32(), false),
    new Field('begin', time(), false),
    new Field('end', time(), false),
    new Field('duration', new Int64(), false),
    new Field('name', dict(), false),
    new Field('target', dict(), false),
    new Field('filename', dict(), false),
    new Field('line', new Uint32(), false),
  ]),
};
