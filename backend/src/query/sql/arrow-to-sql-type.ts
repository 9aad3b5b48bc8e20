import { DataType, Precision, TimeUnit, type Field, type FixedSizeList, type Float, type Int, type Timestamp } from 'apache-arrow';
import { quoteIdent } from './text.js';

/**
 * The DuckDB type a view column is scanned as, from the view set's Arrow schema. Partition scans cast
 * to it (a no-op when the Parquet file already has it), so a query's result types never depend on how
 * a particular file was written, and schema-only planning agrees with execution.
 */
export function sqlTypeOf(type: DataType): string {
  if (DataType.isDictionary(type)) return sqlTypeOf(type.dictionary);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return 'BLOB';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isInt(type)) return intType(type);
  if (DataType.isFloat(type)) return (type as Float).precision === Precision.DOUBLE ? 'DOUBLE' : 'FLOAT';
  if (DataType.isTimestamp(type)) return timestampType((type as Timestamp).unit);
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isList(type)) return `${sqlTypeOf(type.children[0]!.type)}[]`;
  if (DataType.isFixedSizeList(type)) return `${sqlTypeOf(type.children[0]!.type)}[${(type as FixedSizeList).listSize}]`;
  if (DataType.isStruct(type)) return `STRUCT(${type.children.map(memberSql).join(', ')})`;
  if (DataType.isMap(type)) {
    const [key, value] = type.children[0]!.type.children as Field[];
    return `MAP(${sqlTypeOf(key!.type)}, ${sqlTypeOf(value!.type)})`;
  }
  throw new TypeError(`no DuckDB type for Arrow ${type}`);
}

function memberSql(field: Field): string {
  return `${quoteIdent(field.name)} ${sqlTypeOf(field.type)}`;
}

function intType({ bitWidth, isSigned }: Int): string {
  const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[bitWidth];
  return isSigned ? name : `U${name}`;
}

function timestampType(unit: TimeUnit): string {
  switch (unit) {
    case TimeUnit.SECOND: return 'TIMESTAMP_S';
    case TimeUnit.MILLISECOND: return 'TIMESTAMP_MS';
    case TimeUnit.MICROSECOND: return 'TIMESTAMP';
    case TimeUnit.NANOSECOND: return 'TIMESTAMP_NS';
  }
}
