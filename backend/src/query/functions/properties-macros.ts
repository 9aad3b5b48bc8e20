/**
 * Property functions of micromegas (property_get, properties_length, properties_to_jsonb,
 * properties_to_dict, properties_to_array). Views keep properties as a list of {key, value} structs;
 * micromegas now stores them as JSONB. Each function has an overload per form, so a query written
 * for either runs: the JSONB form is DuckDB JSON here (JSON text, see jsonb-macros.ts).
 *
 * DuckDB picks a typed macro's overload by argument type. JSON is a VARCHAR to DuckDB, and any value
 * casts to JSON, so the JSON overloads take VARCHAR: a list then matches only its own overload.
 */

/** The views' properties type. */
export const PROPERTIES = 'STRUCT("key" VARCHAR, "value" VARCHAR)[]';

/** Conversions of the list form, which the JSONB functions build on: defined first. */
export const PROPERTY_CONVERSIONS: readonly string[] = [
  // A JSON object of the properties, keys sorted and NULL entries skipped, as micromegas builds its
  // JSONB. The views' lists never repeat a key (the SDK and ingestion keep properties as maps); a
  // literal list that does gives an object repeating it, whose lookups see the first (smallest value).
  `CREATE MACRO properties_to_jsonb(properties ${PROPERTIES}) AS CAST('{' || array_to_string(list_transform(
       list_sort(list_filter(properties, lambda p: p.key IS NOT NULL AND p.value IS NOT NULL)),
       lambda p: CAST(to_json(p.key) AS VARCHAR) || ':' || CAST(to_json(p.value) AS VARCHAR)), ',') || '}' AS JSON),
     (properties VARCHAR) AS CAST(properties AS JSON)`,

  // micromegas dictionary-encodes the list (Arrow Dictionary); DuckDB keeps its own compression and
  // hands lists back plain, so both are the identity on the list form.
  `CREATE MACRO properties_to_dict(properties ${PROPERTIES}) AS properties`,
];

/** Lookups over either form. */
export const PROPERTY_MACROS: readonly string[] = [
  // The value of key `name`, NULL when absent. Keys match exactly, else ignoring case, as micromegas
  // matches them (coalesce only evaluates the second search where the first found nothing).
  `CREATE MACRO property_get(properties ${PROPERTIES}, name VARCHAR) AS coalesce(
       list_extract(list_filter(properties, lambda p: p.key = name), 1).value,
       list_extract(list_filter(properties, lambda p: lower(p.key) = lower(name)), 1).value),
     (properties VARCHAR, name VARCHAR) AS mm_json_text(mm_jsonb_get(properties, name))`,

  `CREATE MACRO properties_length(properties ${PROPERTIES}) AS CAST(len(properties) AS INTEGER),
     (properties VARCHAR) AS CAST(len(json_keys(properties)) AS INTEGER)`,

  `CREATE MACRO properties_to_array(properties ${PROPERTIES}) AS properties,
     (properties VARCHAR) AS list_transform(json_keys(properties),
       lambda k: {'key': k, 'value': mm_json_text(json_extract(properties, mm_json_pointer(k)))})`,
];
