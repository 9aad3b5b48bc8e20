import {
  DuckDBArrayType, DuckDBDecimalType, DuckDBListType, DuckDBMapType, DuckDBStructType, DuckDBTypeId,
  type DuckDBType,
} from '@duckdb/node-api';
import { DataType, type Binary, type Bool, type Dictionary, type FixedSizeList, type Float64, type Int16, type Int64,
  type List, type Map_, type Null, type Struct, type Utf8 } from 'apache-arrow';
import type { ColumnBuilder } from './column.js';
import {
  BoolColumn, DecimalColumn, FixedWidthColumn, HugeIntColumn, intervalMicrosToNanos, NullColumn, scaleInt64,
} from './fixed-width.js';
import { FixedSizeListColumn, ListColumn, StructColumn } from './nested.js';
import { DictionaryColumn, TextColumn, VarLenColumn } from './strings.js';

/** Bytes per value of the types DuckDB and Arrow lay out identically. */
const SAME_LAYOUT: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.TINYINT]: 1, [DuckDBTypeId.UTINYINT]: 1,
  [DuckDBTypeId.SMALLINT]: 2, [DuckDBTypeId.USMALLINT]: 2,
  [DuckDBTypeId.INTEGER]: 4, [DuckDBTypeId.UINTEGER]: 4, [DuckDBTypeId.FLOAT]: 4, [DuckDBTypeId.DATE]: 4,
  [DuckDBTypeId.BIGINT]: 8, [DuckDBTypeId.UBIGINT]: 8, [DuckDBTypeId.DOUBLE]: 8,
  [DuckDBTypeId.TIME]: 8, [DuckDBTypeId.TIME_NS]: 8, [DuckDBTypeId.TIMESTAMP_NS]: 8,
};

/** Nanoseconds per unit of DuckDB's coarser timestamps. */
const TIMESTAMP_SCALE: Partial<Record<DuckDBTypeId, bigint>> = {
  [DuckDBTypeId.TIMESTAMP_S]: 1_000_000_000n,
  [DuckDBTypeId.TIMESTAMP_MS]: 1_000_000n,
  [DuckDBTypeId.TIMESTAMP]: 1_000n,
  [DuckDBTypeId.TIMESTAMP_TZ]: 1_000n,
};

/** The builder turning DuckDB vectors of `duck` into Arrow data of `arrow` (as chosen by arrowTypeFor). */
export function columnBuilder(duck: DuckDBType, arrow: DataType, name: string): ColumnBuilder {
  if (DataType.isDictionary(arrow)) return new DictionaryColumn(arrow as Dictionary<Utf8, Int16>);
  const width = SAME_LAYOUT[duck.typeId];
  if (width !== undefined) return new FixedWidthColumn(arrow, width);
  const scale = TIMESTAMP_SCALE[duck.typeId];
  if (scale !== undefined) return new FixedWidthColumn(arrow, 8, scaleInt64(scale));
  switch (duck.typeId) {
    case DuckDBTypeId.SQLNULL: return new NullColumn(arrow as Null);
    case DuckDBTypeId.BOOLEAN: return new BoolColumn(arrow as Bool);
    case DuckDBTypeId.HUGEINT: return new HugeIntColumn(arrow as Int64, name);
    case DuckDBTypeId.DECIMAL: {
      const { width: digits, scale: decimals } = duck as DuckDBDecimalType;
      return new DecimalColumn(arrow as Float64, digits, decimals);
    }
    case DuckDBTypeId.INTERVAL: return new FixedWidthColumn(arrow, 16, intervalMicrosToNanos);
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.BLOB: return new VarLenColumn(arrow as Utf8 | Binary);
    case DuckDBTypeId.LIST: {
      const item = (arrow as List).valueType;
      return new ListColumn(arrow as List, columnBuilder((duck as DuckDBListType).valueType, item, name));
    }
    case DuckDBTypeId.MAP: {
      const { keyType, valueType } = duck as DuckDBMapType;
      const entries = (arrow as Map_).children[0]!.type as Struct;
      const pair = new StructColumn(entries, [
        columnBuilder(keyType, entries.children[0]!.type, name),
        columnBuilder(valueType, entries.children[1]!.type, name),
      ]);
      return new ListColumn(arrow as Map_, pair);
    }
    case DuckDBTypeId.ARRAY: {
      const item = (arrow as FixedSizeList).valueType;
      return new FixedSizeListColumn(arrow as FixedSizeList, columnBuilder((duck as DuckDBArrayType).valueType, item, name));
    }
    case DuckDBTypeId.STRUCT: {
      const { entryTypes } = duck as DuckDBStructType;
      const struct = arrow as Struct;
      return new StructColumn(struct, entryTypes.map((t, i) => columnBuilder(t, struct.children[i]!.type, name)));
    }
    default: return new TextColumn(duck);
  }
}
