import { DataType, type Dictionary, type FixedSizeList, type Float, type Int, type Timestamp } from 'apache-arrow';

/**
 * Declared Arrow types of the view columns a query reads, by column name: a result column with
 * such a name and the same shape takes the declared type, so `SELECT * FROM log_entries` streams
 * exactly the view set's schema (nested field names, Dictionary(Int16, Utf8) when kept).
 */
export class ColumnHints {
  private readonly byName = new Map<string, DataType[]>();

  add(name: string, type: DataType): void {
    const known = this.byName.get(name);
    if (known) known.push(type);
    else this.byName.set(name, [type]);
  }

  /** The declared type of a result column shaped like `actual`, if a view declares one. */
  match(name: string, actual: DataType): DataType | undefined {
    return this.byName.get(name)?.find((declared) => sameShape(declared, actual));
  }
}

/** Dictionary(K, V) reads as V: what DuckDB hands over for it. */
export function valueType(type: DataType): DataType {
  return DataType.isDictionary(type) ? (type as Dictionary).dictionary : type;
}

/** Same physical values, whatever the nested field names and nullability. */
function sameShape(declared: DataType, actual: DataType): boolean {
  const a = valueType(declared);
  const b = valueType(actual);
  if (a.typeId !== b.typeId) return false;
  if (DataType.isInt(a)) return (a as Int).bitWidth === (b as Int).bitWidth && (a as Int).isSigned === (b as Int).isSigned;
  if (DataType.isFloat(a)) return (a as Float).precision === (b as Float).precision;
  if (DataType.isTimestamp(a)) return (a as Timestamp).unit === (b as Timestamp).unit && (a as Timestamp).timezone === (b as Timestamp).timezone;
  if (DataType.isFixedSizeList(a) && (a as FixedSizeList).listSize !== (b as FixedSizeList).listSize) return false;
  const [x, y] = [a.children ?? [], b.children ?? []];
  return x.length === y.length && x.every((field, i) => sameShape(field.type, y[i]!.type));
}
