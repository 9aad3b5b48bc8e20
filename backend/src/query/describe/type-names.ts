import {
  DataType, DateUnit, IntervalUnit, Precision, TimeUnit, type Date_, type Dictionary, type Field, type FixedSizeList,
  type Float, type Int, type Interval, type Time, type Timestamp,
} from 'apache-arrow';

const UNIT_NAMES: Record<TimeUnit, string> = {
  [TimeUnit.SECOND]: 'Second', [TimeUnit.MILLISECOND]: 'Millisecond',
  [TimeUnit.MICROSECOND]: 'Microsecond', [TimeUnit.NANOSECOND]: 'Nanosecond',
};

/**
 * An Arrow type named the way micromegas' DESCRIBE shows it (arrow-rs' Debug notation, e.g.
 * `Dictionary(Int16, Utf8)`, `Timestamp(Nanosecond, Some("+00:00"))`), so existing clients and
 * dashboards read the same words.
 */
export function describeType(type: DataType): string {
  if (DataType.isNull(type)) return 'Null';
  if (DataType.isBool(type)) return 'Boolean';
  if (DataType.isInt(type)) {
    const { bitWidth, isSigned } = type as Int;
    return `${isSigned ? 'Int' : 'UInt'}${bitWidth}`;
  }
  if (DataType.isFloat(type)) {
    return { [Precision.HALF]: 'Float16', [Precision.SINGLE]: 'Float32', [Precision.DOUBLE]: 'Float64' }[(type as Float).precision];
  }
  if (DataType.isUtf8(type)) return 'Utf8';
  if (DataType.isLargeUtf8(type)) return 'LargeUtf8';
  if (DataType.isBinary(type)) return 'Binary';
  if (DataType.isTimestamp(type)) {
    const { unit, timezone } = type as Timestamp;
    return `Timestamp(${UNIT_NAMES[unit]}, ${timezone ? `Some("${timezone}")` : 'None'})`;
  }
  if (DataType.isDate(type)) return (type as Date_).unit === DateUnit.DAY ? 'Date32' : 'Date64';
  if (DataType.isTime(type)) {
    const { unit, bitWidth } = type as Time;
    return `Time${bitWidth}(${UNIT_NAMES[unit]})`;
  }
  if (DataType.isInterval(type)) {
    const names = { [IntervalUnit.DAY_TIME]: 'DayTime', [IntervalUnit.YEAR_MONTH]: 'YearMonth', [IntervalUnit.MONTH_DAY_NANO]: 'MonthDayNano' };
    return `Interval(${names[(type as Interval).unit]})`;
  }
  if (DataType.isDictionary(type)) {
    const { indices, dictionary } = type as Dictionary;
    return `Dictionary(${describeType(indices)}, ${describeType(dictionary)})`;
  }
  if (DataType.isList(type)) return `List(${describeField(type.children[0]!)})`;
  if (DataType.isFixedSizeList(type)) return `FixedSizeList(${describeField(type.children[0]!)}, ${(type as FixedSizeList).listSize})`;
  if (DataType.isStruct(type)) return `Struct([${type.children.map(describeField).join(', ')}])`;
  if (DataType.isMap(type)) return `Map(${describeField(type.children[0]!)}, false)`;
  return String(type);
}

function describeField(field: Field): string {
  return `Field { name: "${field.name}", data_type: ${describeType(field.type)}, nullable: ${field.nullable}, ` +
    'dict_id: 0, dict_is_ordered: false, metadata: {} }';
}
