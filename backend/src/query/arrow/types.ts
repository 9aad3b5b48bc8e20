import {
  Binary, Bool, DataType, DateDay, Dictionary, Field, FixedSizeList, Float32, Float64, Int16, Int32, Int64, Int8,
  IntervalMonthDayNano, List, Map_, Null, Struct, TimeMicrosecond, TimeNanosecond, TimestampNanosecond, Uint16, Uint32,
  Uint64, Uint8, Utf8,
} from 'apache-arrow';
import {
  DuckDBArrayType, DuckDBListType, DuckDBMapType, DuckDBStructType, DuckDBTypeId, type DuckDBType,
} from '@duckdb/node-api';

/** Every timestamp leaves the engine as nanoseconds in UTC, whatever DuckDB's own precision. */
export const UTC = '+00:00';

/**
 * The Arrow type a DuckDB result column becomes. Numbers keep their width; HUGEINT (DuckDB's SUM of
 * integers) narrows to Int64 and DECIMAL widens to Float64 because clients (Grafana, pandas) handle
 * those well; types Arrow JS has no good counterpart for are rendered as text.
 */
export function arrowTypeFor(type: DuckDBType): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.SQLNULL: return new Null();
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.TINYINT: return new Int8();
    case DuckDBTypeId.SMALLINT: return new Int16();
    case DuckDBTypeId.INTEGER: return new Int32();
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT: return new Int64();
    case DuckDBTypeId.UTINYINT: return new Uint8();
    case DuckDBTypeId.USMALLINT: return new Uint16();
    case DuckDBTypeId.UINTEGER: return new Uint32();
    case DuckDBTypeId.UBIGINT: return new Uint64();
    case DuckDBTypeId.FLOAT: return new Float32();
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL: return new Float64();
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS: return new TimestampNanosecond(UTC);
    case DuckDBTypeId.DATE: return new DateDay();
    case DuckDBTypeId.TIME: return new TimeMicrosecond();
    case DuckDBTypeId.TIME_NS: return new TimeNanosecond();
    case DuckDBTypeId.INTERVAL: return new IntervalMonthDayNano();
    case DuckDBTypeId.BLOB: return new Binary();
    case DuckDBTypeId.LIST: {
      const { valueType } = type as DuckDBListType;
      return new List(new Field('item', arrowTypeFor(valueType), true));
    }
    case DuckDBTypeId.ARRAY: {
      const { valueType, length } = type as DuckDBArrayType;
      return new FixedSizeList(length, new Field('item', arrowTypeFor(valueType), true));
    }
    case DuckDBTypeId.STRUCT: {
      const { entryNames, entryTypes } = type as DuckDBStructType;
      return new Struct(entryNames.map((name, i) => new Field(name, arrowTypeFor(entryTypes[i]!), true)));
    }
    case DuckDBTypeId.MAP: {
      const { keyType, valueType } = type as DuckDBMapType;
      const entries = new Struct([
        new Field('key', arrowTypeFor(keyType), false),
        new Field('value', arrowTypeFor(valueType), true),
      ]);
      return new Map_(new Field('entries', entries, false));
    }
    default: return new Utf8(); // VARCHAR, and what is rendered as text: ENUM, UUID, UHUGEINT, BIT, …
  }
}

/** Dictionary(Int16, Utf8): the view sets' low-cardinality string columns, when clients ask to keep it. */
export function stringDictionary(id: number): Dictionary<Utf8, Int16> {
  return new Dictionary(new Utf8(), new Int16(), id);
}
