import {
  Bool, DenseUnion, Field, Int32, Int64, List, makeData, Map_, Schema, Struct, Uint32, Utf8, type RecordBatch,
} from 'apache-arrow';
import type { CommandGetSqlInfo } from '@micromegas/flightsql-client';
import { batchOf, column } from './metadata-batch.js';

/** SqlInfo ids (FlightSQL specification) this server answers. */
export const SqlInfo = {
  SERVER_NAME: 0,
  SERVER_VERSION: 1,
  SERVER_READ_ONLY: 3,
  SERVER_SQL: 4,
  SERVER_SUBSTRAIT: 5,
  SERVER_TRANSACTION: 8,
  SERVER_CANCEL: 9,
  STATEMENT_TIMEOUT: 100,
  IDENTIFIER_QUOTE_CHAR: 504,
  SUPPORTS_COLUMN_ALIASING: 515,
} as const;

type InfoValue = { string: string } | { bool: boolean } | { int32: number };

/** The dense union's members in specification order; their positions are the union type ids. */
const members = [
  new Field('string_value', new Utf8(), true),
  new Field('bool_value', new Bool(), true),
  new Field('bigint_value', new Int64(), true),
  new Field('int32_bitmask', new Int32(), true),
  new Field('string_list', new List(new Field('item', new Utf8(), true)), true),
  new Field('int32_to_int32_list_map', new Map_(new Field('entries', new Struct<{ key: Int32; value: List<Int32> }>([
    new Field('key', new Int32(), false),
    new Field('value', new List(new Field('item', new Int32(), true)), true),
  ]), false)), true),
];
const STRING = 0, BOOL = 1, INT32 = 3;
const valueType = new DenseUnion(members.map((_, i) => i), members);
export const sqlInfoSchema = new Schema([
  new Field('info_name', new Uint32(), false),
  new Field('value', valueType, false),
]);

function infoValues(version: string): Map<number, InfoValue> {
  return new Map<number, InfoValue>([
    [SqlInfo.SERVER_NAME, { string: 'micromegas' }],
    [SqlInfo.SERVER_VERSION, { string: version }],
    [SqlInfo.SERVER_READ_ONLY, { bool: true }],
    [SqlInfo.SERVER_SQL, { bool: true }],
    [SqlInfo.SERVER_SUBSTRAIT, { bool: false }],
    [SqlInfo.SERVER_TRANSACTION, { int32: 0 }], // SQL_SUPPORTED_TRANSACTION_NONE
    [SqlInfo.SERVER_CANCEL, { bool: false }],
    [SqlInfo.STATEMENT_TIMEOUT, { int32: 0 }], // prepared statements never expire: handles hold the SQL
    [SqlInfo.IDENTIFIER_QUOTE_CHAR, { string: '"' }],
    [SqlInfo.SUPPORTS_COLUMN_ALIASING, { bool: true }],
  ]);
}

/** The requested ids we know (all when none are requested), one row each, in request order. */
export function sqlInfo(command: CommandGetSqlInfo, version: string): RecordBatch {
  const known = infoValues(version);
  const ids = command.info.length > 0 ? command.info.filter((id) => known.has(id)) : [...known.keys()];
  const strings: string[] = [];
  const bools: boolean[] = [];
  const ints: number[] = [];
  const typeIds = new Int8Array(ids.length);
  const offsets = new Int32Array(ids.length);
  ids.forEach((id, row) => {
    const value = known.get(id)!;
    const [typeId, values, item] =
      'string' in value ? [STRING, strings, value.string] as const
      : 'bool' in value ? [BOOL, bools, value.bool] as const
      : [INT32, ints, value.int32] as const;
    typeIds[row] = typeId;
    offsets[row] = values.length;
    (values as unknown[]).push(item);
  });
  const children = members.map((member, i) =>
    column(member.type, i === STRING ? strings : i === BOOL ? bools : i === INT32 ? ints : []));
  const union = makeData({ type: valueType, length: ids.length, nullCount: 0, typeIds, valueOffsets: offsets, children });
  return batchOf(sqlInfoSchema, [column(new Uint32(), ids), union]);
}
