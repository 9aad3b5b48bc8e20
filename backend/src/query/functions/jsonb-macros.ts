/**
 * micromegas' JSONB functions over DuckDB's JSON type. micromegas keeps JSONB as binary (Arrow
 * Binary, dictionary-encoded); here a JSONB value is JSON text (DuckDB JSON, Arrow Utf8), so what
 * these return reads the same through every function, and a client sees the JSON itself. Each takes
 * the views' property lists too (through properties_to_jsonb), as micromegas' take its JSONB
 * property columns. Semantics follow micromegas' (databend's jsonb crate): lookups by key try the
 * exact key, then ignore case; the casts return NULL for a value of another JSON type.
 */
import { PROPERTIES } from './properties-macros.js';

export const JSONB_MACROS: readonly string[] = [
  // The JSON pointer of an object key (RFC 6901): any key, dots and slashes included.
  `CREATE MACRO mm_json_pointer(k) AS '/' || replace(replace(k, '~', '~0'), '/', '~1')`,
  // A JSON value as property text: a string unquoted, anything else as JSON.
  `CREATE MACRO mm_json_text(v) AS CASE WHEN json_type(v) = 'VARCHAR' THEN json_extract_string(v, '$') ELSE CAST(v AS VARCHAR) END`,

  // NULL for text that is not JSON, as micromegas' (which logs a warning).
  `CREATE MACRO jsonb_parse(json_string VARCHAR) AS CASE WHEN json_valid(json_string) THEN json(json_string) END`,

  // The value of key `name` of an object: the exact key, else the first ignoring case.
  `CREATE MACRO mm_jsonb_get(jsonb, name) AS CASE WHEN json_type(jsonb) = 'OBJECT' THEN coalesce(
       json_extract(jsonb, mm_json_pointer(name)),
       json_extract(jsonb, mm_json_pointer(list_extract(list_filter(json_keys(jsonb), lambda k: lower(k) = lower(name)), 1)))) END`,
  `CREATE MACRO mm_jsonb_object_keys(jsonb) AS CASE WHEN json_type(jsonb) = 'OBJECT' THEN json_keys(jsonb) END`,

  `CREATE MACRO jsonb_get(jsonb VARCHAR, name VARCHAR) AS mm_jsonb_get(jsonb, name),
     (jsonb ${PROPERTIES}, name VARCHAR) AS mm_jsonb_get(properties_to_jsonb(jsonb), name)`,

  `CREATE MACRO jsonb_format_json(jsonb VARCHAR) AS CAST(json(jsonb) AS VARCHAR),
     (jsonb ${PROPERTIES}) AS CAST(properties_to_jsonb(jsonb) AS VARCHAR)`,

  `CREATE MACRO jsonb_as_string(jsonb VARCHAR) AS CASE WHEN json_type(jsonb) = 'VARCHAR' THEN json_extract_string(jsonb, '$') END`,
  `CREATE MACRO jsonb_as_f64(jsonb VARCHAR) AS
     CASE WHEN json_type(jsonb) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(json_extract_string(jsonb, '$') AS DOUBLE) END`,
  // Integers only (a float is NULL), within BIGINT.
  `CREATE MACRO jsonb_as_i64(jsonb VARCHAR) AS
     CASE WHEN json_type(jsonb) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(json_extract_string(jsonb, '$') AS BIGINT) END`,

  `CREATE MACRO jsonb_object_keys(jsonb VARCHAR) AS mm_jsonb_object_keys(jsonb),
     (jsonb ${PROPERTIES}) AS mm_jsonb_object_keys(properties_to_jsonb(jsonb))`,
  // The entries of an object ({key, value} in key order) or of an array (key '0', '1', …), as a list:
  // the rows of the table function jsonb_each(); a scalar is an error there too.
  `CREATE MACRO mm_jsonb_each(jsonb) AS CASE json_type(jsonb)
     WHEN 'OBJECT' THEN list_transform(json_keys(jsonb), lambda k: {'key': k, 'value': json_extract(jsonb, mm_json_pointer(k))})
     WHEN 'ARRAY' THEN list_transform(range(CAST(json_array_length(jsonb) AS BIGINT)),
       lambda i: {'key': CAST(i AS VARCHAR), 'value': json_extract(jsonb, '/' || i)})
     ELSE error('jsonb_each: expects a JSON object or array, got ' || left(CAST(jsonb AS VARCHAR), 40)) END`,
  `CREATE MACRO jsonb_each(jsonb VARCHAR) AS mm_jsonb_each(jsonb),
     (jsonb ${PROPERTIES}) AS mm_jsonb_each(properties_to_jsonb(jsonb))`,
  // The elements of an array, as a list of {value}: the rows of the table function jsonb_array_elements().
  `CREATE MACRO jsonb_array_elements(jsonb VARCHAR) AS CASE WHEN json_type(jsonb) = 'ARRAY'
     THEN list_transform(range(CAST(json_array_length(jsonb) AS BIGINT)), lambda i: {'value': json_extract(jsonb, '/' || i)})
     ELSE error('jsonb_array_elements: expects a JSON array, got ' || left(CAST(jsonb AS VARCHAR), 40)) END`,
  `CREATE MACRO jsonb_array_length(jsonb VARCHAR) AS
     CASE WHEN json_type(jsonb) = 'ARRAY' THEN CAST(json_array_length(jsonb) AS BIGINT) END`,
];
