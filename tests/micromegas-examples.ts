/**
 * The SQL examples of micromegas' query guide (github.com/madesroches/micromegas,
 * mkdocs/docs/query-guide/*.md, Apache-2.0), statement by statement in the guide's order: what the
 * compatibility test (micromegas-compat.test.ts) runs over FlightSQL against the demo's data. Each is
 * as micromegas writes it; the test then names the demo's process, thread and block where an example
 * names placeholders (PLACEHOLDERS), and applies the listed adaptations where DuckDB's syntax differs
 * from DataFusion's (ADAPTATIONS). docs/micromegas-sql.md lists both, and why an example returns no
 * rows or fails here. Left out: five syntax lines whose arguments are parameter names
 * (`FROM parse_block(block_id)`, …), and the Python client's guides.
 */

/** Where DuckDB's SQL differs from DataFusion's: how the test rewrites an example. */
export const ADAPTATIONS = {
  /** DataFusion casts a timestamp difference (a Duration) to BIGINT nanoseconds; DuckDB's is an INTERVAL, which has no such cast. */
  'timestamp-difference': (sql: string) => sql.replace(/CAST\(\((\w+)\.time - (\w+)\.time\) AS BIGINT\)/g, '(epoch_ns($1.time) - epoch_ns($2.time))'),
  /** `end` is a reserved word in DuckDB: a column of that name is quoted. */
  'end-keyword': (sql: string) => sql.replace(/\bbegin, end\b/g, 'begin, "end"'),
  /** DuckDB names the 64-bit float DOUBLE (FLOAT8); FLOAT64 is DataFusion's (Arrow's) name. */
  float64: (sql: string) => sql.replace(/\bFLOAT64\b/g, 'DOUBLE'),
  /**
   * otel_spans' W3C ids are lowercase hex text here (FixedSizeBinary in micromegas): no encode(…, 'hex')
   * to read them, no decode('…', 'hex') to compare them (DuckDB's encode and decode convert text and BLOB).
   */
  'hex-ids': (sql: string) => sql.replace(/encode\((\w+), 'hex'\)/g, '$1').replace(/decode\(('[0-9a-f]+'), 'hex'\)/g, '$1'),
  /** DuckDB names the unsigned 32-bit integer UINTEGER; DataFusion also reads MySQL's INT UNSIGNED. */
  'int-unsigned': (sql: string) => sql.replace(/\bINT UNSIGNED\b/g, 'UINTEGER'),
} satisfies Record<string, (sql: string) => string>;

export type Adaptation = keyof typeof ADAPTATIONS;

/** The demo's identifiers the test puts where the examples name placeholders. */
export interface DemoIds {
  processId: string;
  /** The main thread's stream (a `cpu` stream). */
  threadStreamId: string;
  /** A block of the main thread's log stream holding a log without properties. */
  logBlockId: string;
  /** The id of a span with children, in that thread. */
  parentSpanId: string;
  /** An async span of the process. */
  asyncSpanId: string;
}

/** Placeholder → what names the demo's counterpart, in the order they are replaced. */
export const PLACEHOLDERS: readonly [RegExp, (ids: DemoIds) => string][] = [
  // thread_spans instances are per thread: the guide's 'stream_123', 'web_server', 'my_process', …
  [/view_instance\('thread_spans', '[^']*'\)/g, (ids) => `view_instance('thread_spans', '${ids.threadStreamId}')`],
  [/'(my_process_123|my_process|process_id|process-uuid-123|process-uuid|my-process-id|process_123|<process_id>)'/g, (ids) => `'${ids.processId}'`],
  [/'550e8400-e29b-41d4-a716-446655440000'/g, (ids) => `'${ids.logBlockId}'`],
  // A span name of the guide's web server; the demo's long span.
  [/'handle_request'/g, () => "'load_level'"],
  [/\bparent = 42\b/g, (ids) => `parent = ${ids.parentSpanId}`],
  [/\bspan_id = 12345\b/g, (ids) => `span_id = ${ids.asyncSpanId}`],
  // An executable name of the guide; the demo's.
  [/'%analytics%'/g, () => "'%demo%'"],
];

/** Why an example returns no rows or fails here. */
export const WHY = {
  INVALID: 'not valid SQL, in micromegas either: the outer query names `parent` and `child`, tables of the inner one',
  FIXED_RANGE: 'its fixed time range (January 2024) holds nothing of the demo\'s process, which perfetto_trace_chunks() reports as not found',
  STREAMS_FORMAT: 'our blocks view has no `streams.format` column: SDK streams say their format in objects_metadata',
  JSON_PATH: 'jsonb_path_query() and jsonb_path_query_first() take SQL/JSON paths with filters (`? (@.a > 1)`), which DuckDB\'s JSONPath lacks; not provided',
  USER_TABLE: 'a table of the reader\'s own (`events` with a `msg_jsonb` column) that no lake has',
  GET_PAYLOAD: 'get_payload() returns raw payloads read from the object store for each row, which the locked-down engine cannot do; parse_block() decodes a block instead',
  RENDERING: 'color and binning helpers (rgba, lerp_color, color_scale, bin_center, lerp, unlerp) of micromegas\' own map cells, over tables of the reader\'s own; not provided',
  NET_SPANS: 'no net_spans view: our SDK records no network traffic',
  OTEL_SPANS: 'the demo records no OpenTelemetry spans (docs/otlp.md\'s queries over otel_spans run in the OTLP tests)',
  IMAGES: 'no images view: our SDK sends no images',
  THREAD_NAME: 'thread names are properties of threads\' streams, not of processes (micromegas\' SDK too): the demo\'s process has none',
  LOG_ENV: 'the demo\'s logs carry no `env` property',
  LOG_ERROR_CODE: 'the demo\'s logs carry no `error_code` property',
  LOG_SERVICE: 'the demo\'s logs carry no `service` property (its JSON messages name one)',
  AUDIT_LOG: 'we write no FlightSQL query audit log (target flightsql_query_audit); the JSONB functions over it run',
  LOG_VOLUME: 'rows only for a minute of more than 100 logs of one process: the demo reaches it when its frames run over budget, as on a loaded machine',
} as const;

export interface Example {
  /** micromegas' query guide page › section. */
  source: string;
  sql: string;
  adapt?: Adaptation[];
  /** Runs and returns no rows, for this reason. */
  noRows?: string;
  /** Runs; whether it has rows depends on the machine, for this reason. */
  rowsVary?: string;
  /** Fails here, for this reason, with these words. */
  fails?: { why: string; error: RegExp };
}

export const EXAMPLES: readonly Example[] = [
  {
    source: 'advanced-features › Global Views (Implicit)',
    sql: `-- Global view - queries data from ALL processes
SELECT * FROM log_entries WHERE level <= 2`,
  },
  {
    source: 'advanced-features › Global Views (Implicit)',
    sql: `SELECT * FROM measures WHERE name = 'cpu_usage'`,
  },
  {
    source: 'advanced-features › View Instances (Explicit)',
    sql: `-- View instance - queries data from ONE specific process
SELECT * FROM view_instance('log_entries', 'my_process_123') WHERE level <= 2`,
  },
  {
    source: 'advanced-features › View Instances (Explicit)',
    sql: `SELECT * FROM view_instance('measures', 'my_process_123') WHERE name = 'cpu_usage'`,
  },
  {
    source: 'async-performance-analysis › Quick Start with `process_spans`',
    sql: `-- Async spans only
SELECT * FROM process_spans('process-uuid', 'async')`,
  },
  {
    source: 'async-performance-analysis › Quick Start with `process_spans`',
    sql: `-- Both thread and async spans combined
SELECT name, begin, end, depth, thread_name as lane
FROM process_spans('process-uuid', 'both')
ORDER BY lane, begin`,
    adapt: ['end-keyword'],
  },
  {
    source: 'async-performance-analysis › 1. Top-Level Performance Overview',
    sql: `-- Top-level async operations with performance metrics
SELECT
    name,
    COUNT(*) as operation_count,
    AVG(duration_ms) as avg_duration,
    MIN(duration_ms) as min_duration,
    MAX(duration_ms) as max_duration,
    STDDEV(duration_ms) as duration_stddev
FROM (
    SELECT
        begin_events.name,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'process_id')
         WHERE event_type = 'begin' AND depth = 0) begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'process_id')
         WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
)
GROUP BY name
ORDER BY avg_duration DESC`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'async-performance-analysis › 2. Depth-Based Performance Comparison',
    sql: `-- Performance metrics by async call depth
SELECT
    depth,
    COUNT(*) as span_count,
    AVG(duration_ms) as avg_duration,
    approx_percentile_cont(duration_ms, 0.5) as median_duration,
    approx_percentile_cont(duration_ms, 0.95) as p95_duration,
    approx_percentile_cont(duration_ms, 0.99) as p99_duration
FROM (
    SELECT
        begin_events.depth,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'begin') begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
)
GROUP BY depth
ORDER BY depth`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'async-performance-analysis › 3. Parent-Child Performance Analysis',
    sql: `-- Parent-child async operation performance relationships
SELECT
    parent.name as parent_operation,
    parent.depth as parent_depth,
    child.name as child_operation,
    child.depth as child_depth,
    COUNT(*) as relationship_count,
    AVG(parent_duration_ms) as avg_parent_duration,
    AVG(child_duration_ms) as avg_child_duration,
    AVG(parent_duration_ms) - AVG(child_duration_ms) as avg_overhead_ms
FROM (
    SELECT
        p.name, p.depth, p.span_id,
        c.name as child_name, c.depth as child_depth, c.span_id as child_span_id,
        CAST((p_end.time - p_begin.time) AS BIGINT) / 1000000 as parent_duration_ms,
        CAST((c_end.time - c_begin.time) AS BIGINT) / 1000000 as child_duration_ms
    FROM view_instance('async_events', 'process_id') p
    JOIN view_instance('async_events', 'process_id') c ON p.span_id = c.parent_span_id
    JOIN view_instance('async_events', 'process_id') p_begin ON p.span_id = p_begin.span_id AND p_begin.event_type = 'begin'
    JOIN view_instance('async_events', 'process_id') p_end ON p.span_id = p_end.span_id AND p_end.event_type = 'end'
    JOIN view_instance('async_events', 'process_id') c_begin ON c.span_id = c_begin.span_id AND c_begin.event_type = 'begin'
    JOIN view_instance('async_events', 'process_id') c_end ON c.span_id = c_end.span_id AND c_end.event_type = 'end'
    WHERE p.event_type = 'begin' AND c.event_type = 'begin'
) as relationships(name, depth, span_id, child_name, child_depth, child_span_id, parent_duration_ms, child_duration_ms)
GROUP BY parent_operation, parent_depth, child_operation, child_depth
HAVING COUNT(*) > 5  -- Focus on significant relationships
ORDER BY relationship_count DESC, avg_overhead_ms DESC`,
    adapt: ['timestamp-difference'],
    fails: { why: WHY.INVALID, error: /Referenced table "parent" not found/ },
  },
  {
    source: 'async-performance-analysis › 4. Async Concurrency Analysis',
    sql: `-- Concurrent async operations over time
SELECT
    time_bucket,
    MAX(concurrent_operations) as peak_concurrency,
    AVG(concurrent_operations) as avg_concurrency
FROM (
    SELECT
        date_trunc('minute', time) as time_bucket,
        COUNT(*) as concurrent_operations
    FROM view_instance('async_events', 'process_id')
    WHERE event_type = 'begin'
    GROUP BY date_trunc('minute', time)
)
GROUP BY time_bucket
ORDER BY time_bucket`,
  },
  {
    source: 'async-performance-analysis › 5. Deep Nesting Detection',
    sql: `-- Operations with excessive async nesting depth
SELECT
    name,
    depth,
    COUNT(*) as occurrence_count,
    AVG(duration_ms) as avg_duration
FROM (
    SELECT
        begin_events.name,
        begin_events.depth,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'begin') begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
)
WHERE depth >= 3  -- Focus on deep nesting
GROUP BY name, depth
ORDER BY depth DESC, occurrence_count DESC`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'async-performance-analysis › 6. Async Operation Hotspots',
    sql: `-- Async operation frequency by depth level
SELECT
    depth,
    name,
    COUNT(*) as call_count,
    AVG(duration_ms) as avg_duration,
    COUNT(*) * AVG(duration_ms) as total_time_spent
FROM (
    SELECT
        begin_events.name,
        begin_events.depth,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'begin') begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
)
GROUP BY depth, name
ORDER BY total_time_spent DESC`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'async-performance-analysis › Example: Comprehensive Async Performance Dashboard',
    sql: `-- Multi-dimensional async performance summary
WITH async_durations AS (
    SELECT
        begin_events.name,
        begin_events.depth,
        begin_events.time as start_time,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'begin') begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'process_id') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
),
depth_summary AS (
    SELECT
        depth,
        COUNT(*) as operation_count,
        AVG(duration_ms) as avg_duration,
        approx_percentile_cont(duration_ms, 0.95) as p95_duration
    FROM async_durations
    GROUP BY depth
),
top_operations AS (
    SELECT
        name,
        COUNT(*) as call_count,
        AVG(duration_ms) as avg_duration
    FROM async_durations
    WHERE depth = 0  -- Top-level only
    GROUP BY name
    ORDER BY avg_duration DESC
    LIMIT 5
)
SELECT
    'Depth Summary' as analysis_type,
    CAST(depth AS VARCHAR) as name,
    operation_count as count,
    avg_duration,
    p95_duration as p95
FROM depth_summary
UNION ALL
SELECT
    'Top Operations' as analysis_type,
    name,
    call_count as count,
    avg_duration,
    NULL as p95
FROM top_operations
ORDER BY analysis_type, avg_duration DESC`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'functions-reference › `view_instance(view_name, identifier)`',
    sql: `-- Get logs for a specific process
SELECT time, level, msg
FROM view_instance('log_entries', 'my_process_123')
WHERE level <= 3`,
  },
  {
    source: 'functions-reference › `view_instance(view_name, identifier)`',
    sql: `-- Get spans for a specific stream
SELECT name, duration
FROM view_instance('thread_spans', 'stream_456')
WHERE duration > 1000000 -- > 1ms`,
  },
  {
    source: 'functions-reference › `perfetto_trace_chunks(process_id, span_types, start_time, end_time)`',
    sql: `-- Generate trace for thread spans only
SELECT chunk_id, chunk_data
FROM perfetto_trace_chunks(
    'process-uuid-123',
    'thread',
    TIMESTAMP '2024-01-01T00:00:00Z',
    TIMESTAMP '2024-01-01T01:00:00Z'
)
ORDER BY chunk_id`,
    fails: { why: WHY.FIXED_RANGE, error: /perfetto_trace_chunks: process \S+ not found/ },
  },
  {
    source: 'functions-reference › `perfetto_trace_chunks(process_id, span_types, start_time, end_time)`',
    sql: `-- Generate trace for both thread and async spans
SELECT chunk_id, chunk_data
FROM perfetto_trace_chunks(
    'my-process-id',
    'both',
    NOW() - INTERVAL '1 hour',
    NOW()
)
ORDER BY chunk_id`,
  },
  {
    source: 'functions-reference › `process_spans(process_id, types)`',
    sql: `-- Thread spans only
SELECT * FROM process_spans('process-uuid', 'thread')`,
  },
  {
    source: 'functions-reference › `process_spans(process_id, types)`',
    sql: `-- Async spans only
SELECT * FROM process_spans('process-uuid', 'async')`,
  },
  {
    source: 'functions-reference › `process_spans(process_id, types)`',
    sql: `-- Both combined
SELECT name, begin, end, depth, thread_name as lane
FROM process_spans('process-uuid', 'both')
ORDER BY lane, begin`,
    adapt: ['end-keyword'],
  },
  {
    source: 'functions-reference › `process_spans(process_id, types)`',
    sql: `-- Get all spans across threads for a process
SELECT stream_id, thread_name, name, duration
FROM process_spans('process-uuid-123', 'thread')
ORDER BY begin`,
  },
  {
    source: 'functions-reference › `process_spans(process_id, types)`',
    sql: `-- Analyze frame time per thread
SELECT thread_name, name, AVG(duration) / 1000000.0 as avg_ms
FROM process_spans('my-process-id', 'both')
WHERE depth = 0
GROUP BY thread_name, name
ORDER BY avg_ms DESC`,
  },
  {
    source: 'functions-reference › `parse_block(block_id)`',
    sql: `-- Find a block to inspect
SELECT block_id, nb_objects, "streams.format"
FROM blocks
LIMIT 5`,
    fails: { why: WHY.STREAMS_FORMAT, error: /streams\.format/ },
  },
  {
    source: 'functions-reference › `parse_block(block_id)`',
    sql: `-- Parse all objects in a block
SELECT object_index, type_name, jsonb_format_json(value)
FROM parse_block('550e8400-e29b-41d4-a716-446655440000')`,
  },
  {
    source: 'functions-reference › `parse_block(block_id)`',
    sql: `-- Filter by object type
SELECT object_index, jsonb_format_json(value)
FROM parse_block('550e8400-e29b-41d4-a716-446655440000')
WHERE type_name LIKE 'Log%'`,
  },
  {
    source: 'functions-reference › `parse_block(block_id)`',
    sql: `-- Extract a specific field from a transit object
SELECT object_index, type_name,
       jsonb_as_string(jsonb_get(value, 'msg')) as msg
FROM parse_block('550e8400-e29b-41d4-a716-446655440000')
WHERE type_name = 'LogStringInteropEvent'
LIMIT 10`,
  },
  {
    source: 'functions-reference › `parse_block(block_id)`',
    sql: `-- Extract one flattened attribute from an OTLP block
SELECT jsonb_as_string(jsonb_get(jsonb_get(value, '__attributes'), 'my.event.id'))
FROM parse_block('550e8400-e29b-41d4-a716-446655440000')`,
  },
  {
    source: 'functions-reference › `jsonb_parse(json_string)`',
    sql: `-- Parse JSON string into JSONB
SELECT jsonb_parse('{"name": "web_server", "port": 8080}') as parsed_json
FROM processes`,
  },
  {
    source: 'functions-reference › `jsonb_path_query_first(jsonb, path)`',
    sql: `-- Extract a nested value
SELECT jsonb_path_query_first(jsonb_parse('{"user": {"name": "Alice"}}'), '$.user.name') as name`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query_first does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_path_query_first(jsonb, path)`',
    sql: `-- Array index access
SELECT jsonb_path_query_first(jsonb_parse('{"items": [10, 20, 30]}'), '$.items[1]') as second`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query_first does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_path_query_first(jsonb, path)`',
    sql: `-- First wildcard match
SELECT jsonb_as_string(jsonb_path_query_first(data, '$.tags[0]')) as first_tag
FROM processes`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query_first does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_path_query(jsonb, path)`',
    sql: `-- Extract all names from an array of objects
SELECT jsonb_path_query(jsonb_parse('{"users": [{"name": "Alice"}, {"name": "Bob"}]}'), '$.users[*].name') as names`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_path_query(jsonb, path)`',
    sql: `-- All array elements
SELECT jsonb_path_query(jsonb_parse('[1, 2, 3]'), '$[*]') as all_items`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_path_query(jsonb, path)`',
    sql: `-- No match returns empty array
SELECT jsonb_path_query(jsonb_parse('{"a": 1}'), '$.missing') as result`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query does not exist/ },
  },
  {
    source: 'functions-reference › Filter Predicates in JSONPath',
    sql: `-- Filter array elements by field value
SELECT jsonb_path_query(
  jsonb_parse('{"items": [{"type": "active", "id": 1}, {"type": "inactive", "id": 2}]}'),
  '$.items[*] ? (@.type == "active")'
) as active_items`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query does not exist/ },
  },
  {
    source: 'functions-reference › Filter Predicates in JSONPath',
    sql: `-- Numeric comparison
SELECT jsonb_path_query(
  jsonb_parse('{"scores": [{"name": "Alice", "val": 85}, {"name": "Bob", "val": 42}]}'),
  '$.scores[*] ? (@.val > 50)'
) as high_scores`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query does not exist/ },
  },
  {
    source: 'functions-reference › Filter Predicates in JSONPath',
    sql: `-- Get first match with filter
SELECT jsonb_path_query_first(
  jsonb_parse('{"users": [{"role": "admin", "name": "Alice"}, {"role": "user", "name": "Bob"}]}'),
  '$.users[*] ? (@.role == "admin")'
) as first_admin`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query_first does not exist/ },
  },
  {
    source: 'functions-reference › Filter Predicates in JSONPath',
    sql: `-- Combined with jsonb_array_elements for row expansion
SELECT jsonb_as_string(jsonb_get(value, 'name')) as player_name
FROM jsonb_array_elements(
  jsonb_path_query(msg_jsonb, '$.teams[*].players[*] ? (@.type == "human")')
)`,
    fails: { why: WHY.JSON_PATH, error: /jsonb_path_query does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_get(jsonb, key)`',
    sql: `-- Extract name field from JSON data
SELECT jsonb_get(jsonb_parse('{"name": "web_server", "port": 8080}'), 'name') as name_value
FROM processes`,
  },
  {
    source: 'functions-reference › `jsonb_format_json(jsonb)`',
    sql: `-- Format JSONB back to JSON string
SELECT jsonb_format_json(jsonb_parse('{"name": "web_server"}')) as json_string
FROM processes`,
  },
  {
    source: 'functions-reference › `jsonb_format_json(jsonb)`',
    sql: `-- Works directly with dictionary-encoded properties
SELECT jsonb_format_json(properties_to_jsonb(properties)) as json_props
FROM log_entries`,
  },
  {
    source: 'functions-reference › `jsonb_format_json(jsonb)`',
    sql: `-- Format property values as JSON
SELECT jsonb_format_json(properties) as json_string
FROM processes
WHERE properties IS NOT NULL`,
  },
  {
    source: 'functions-reference › `jsonb_as_string(jsonb)`',
    sql: `-- Extract string value from JSONB
SELECT jsonb_as_string(jsonb_get(jsonb_parse('{"service": "web_server"}'), 'service')) as service_name
FROM processes`,
  },
  {
    source: 'functions-reference › `jsonb_as_f64(jsonb)`',
    sql: `-- Extract numeric value from JSONB
SELECT jsonb_as_f64(jsonb_get(jsonb_parse('{"cpu_usage": 75.5}'), 'cpu_usage')) as cpu_usage
FROM processes`,
  },
  {
    source: 'functions-reference › `jsonb_as_i64(jsonb)`',
    sql: `-- Extract integer value from JSONB
SELECT jsonb_as_i64(jsonb_get(jsonb_parse('{"port": 8080}'), 'port')) as port_number
FROM processes`,
  },
  {
    source: 'functions-reference › `jsonb_object_keys(jsonb)`',
    sql: `-- Get keys from a JSONB object
SELECT jsonb_object_keys(jsonb_parse('{"name": "server", "port": 8080}')) as keys`,
  },
  {
    source: 'functions-reference › `jsonb_object_keys(jsonb)`',
    sql: `-- Get keys from process properties
SELECT jsonb_object_keys(properties) as prop_keys
FROM processes
LIMIT 5`,
  },
  {
    source: 'functions-reference › `jsonb_array_length(jsonb)`',
    sql: `-- Count elements in an array
SELECT jsonb_array_length(jsonb_parse('[1, 2, 3]')) as len`,
  },
  {
    source: 'functions-reference › `jsonb_array_length(jsonb)`',
    sql: `-- Empty array returns 0
SELECT jsonb_array_length(jsonb_parse('[]')) as len`,
  },
  {
    source: 'functions-reference › `jsonb_array_length(jsonb)`',
    sql: `-- Non-array input returns NULL
SELECT jsonb_array_length(jsonb_parse('{"key": "value"}')) as len`,
  },
  {
    source: 'functions-reference › `jsonb_array_length(jsonb)`',
    sql: `-- Filter by array size
SELECT *
FROM events
WHERE jsonb_array_length(jsonb_get(msg_jsonb, 'items')) > 5`,
    fails: { why: WHY.USER_TABLE, error: /events does not exist/ },
  },
  {
    source: 'functions-reference › `jsonb_each(jsonb_value)`',
    sql: `-- Expand process properties into rows
SELECT key, jsonb_as_string(value) as value
FROM jsonb_each(
  (SELECT properties FROM processes WHERE process_id = 'my_process_123')
)`,
  },
  {
    source: 'functions-reference › `jsonb_each(jsonb_value)`',
    sql: `-- Use with other JSONB functions for nested values
SELECT key, jsonb_format_json(value) as json_value
FROM jsonb_each(
  (SELECT jsonb_parse('{"name": "server", "port": 8080, "tags": ["prod", "us-east"]}'))
)`,
  },
  {
    source: 'functions-reference › `jsonb_each(jsonb_value)`',
    sql: `-- Expand a JSONB array into rows
SELECT key as index, jsonb_format_json(value) as element
FROM jsonb_each(
  (SELECT jsonb_parse('[10, 20, 30]'))
)`,
  },
  {
    source: 'functions-reference › `jsonb_array_elements(jsonb_value)`',
    sql: `-- Unnest a simple array
SELECT jsonb_as_string(value) as val
FROM jsonb_array_elements(jsonb_parse('[1, 2, 3]'))`,
  },
  {
    source: 'functions-reference › `jsonb_array_elements(jsonb_value)`',
    sql: `-- Unnest array of objects and extract a field
SELECT jsonb_as_string(jsonb_get(value, 'name')) as name
FROM jsonb_array_elements(jsonb_parse('[{"name": "Alice"}, {"name": "Bob"}]'))`,
  },
  {
    source: 'functions-reference › `jsonb_array_elements(jsonb_value)`',
    sql: `-- Unnest from a subquery
SELECT jsonb_as_string(jsonb_get(value, 'profile_id')) as profile_id
FROM jsonb_array_elements((SELECT jsonb_path_query(msg_jsonb, '$.teams[*].players[*]') FROM events LIMIT 1))
WHERE jsonb_as_string(jsonb_get(value, 'type')) = 'human'`,
    fails: { why: WHY.USER_TABLE, error: /events does not exist/ },
  },
  {
    source: 'functions-reference › `get_payload(process_id, stream_id, block_id)`',
    sql: `-- Get raw payload data for specific blocks
SELECT process_id, stream_id, block_id, get_payload(process_id, stream_id, block_id) as payload
FROM blocks
WHERE insert_time >= NOW() - INTERVAL '1 hour'
LIMIT 10`,
    fails: { why: WHY.GET_PAYLOAD, error: /get_payload does not exist/ },
  },
  {
    source: 'functions-reference › `property_get(properties, key)`',
    sql: `-- Get thread name from process properties (works with all formats)
SELECT time, msg, property_get(process_properties, 'thread-name') as thread
FROM log_entries
WHERE property_get(process_properties, 'thread-name') IS NOT NULL`,
    noRows: WHY.THREAD_NAME,
  },
  {
    source: 'functions-reference › `property_get(properties, key)`',
    sql: `-- Filter by custom property
SELECT time, name, value
FROM measures
WHERE property_get(properties, 'source') = 'system_monitor'`,
  },
  {
    source: 'functions-reference › `property_get(properties, key)`',
    sql: `-- Direct JSONB property access (post-migration default)
SELECT time, msg, property_get(properties, 'service') as service
FROM log_entries
WHERE property_get(properties, 'env') = 'production'`,
    noRows: WHY.LOG_ENV,
  },
  {
    source: 'functions-reference › `properties_length(properties)`',
    sql: `-- Works with regular properties
SELECT properties_length(properties) as prop_count
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_length(properties)`',
    sql: `-- Works with dictionary-encoded properties
SELECT properties_length(properties_to_dict(properties)) as prop_count
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_length(properties)`',
    sql: `-- JSONB property counting
SELECT properties_length(properties_to_jsonb(properties)) as prop_count
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_to_dict(properties)`',
    sql: `-- Convert properties to dictionary encoding for memory efficiency
SELECT properties_to_dict(properties) as dict_props
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_to_dict(properties)`',
    sql: `-- Use with other functions via properties_to_array
SELECT array_length(properties_to_array(properties_to_dict(properties))) as prop_count
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_to_jsonb(properties)`',
    sql: `-- Convert properties to JSONB format
SELECT properties_to_jsonb(properties) as jsonb_props
FROM log_entries`,
  },
  {
    source: 'functions-reference › `properties_to_jsonb(properties)`',
    sql: `-- Use with other JSONB functions
SELECT jsonb_get(properties_to_jsonb(properties), 'hostname') as hostname
FROM log_entries`,
  },
  {
    source: 'functions-reference › `properties_to_jsonb(properties)`',
    sql: `-- Convert dictionary-encoded properties to JSONB
SELECT properties_to_jsonb(properties_to_dict(properties)) as jsonb_props
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_to_array(dict_properties)`',
    sql: `-- Convert dictionary-encoded properties back to array
SELECT properties_to_array(properties_to_dict(properties)) as props
FROM measures`,
  },
  {
    source: 'functions-reference › `properties_to_array(dict_properties)`',
    sql: `-- Use with array functions
SELECT array_length(properties_to_array(properties_to_dict(properties))) as count
FROM measures`,
  },
  {
    source: 'functions-reference › `make_histogram(start, end, bins, values)`',
    sql: `-- Create histogram of response times (0-50ms, 20 bins)
SELECT make_histogram(0.0, 50.0, 20, CAST(duration AS FLOAT64) / 1000000.0) as duration_histogram
FROM view_instance('thread_spans', 'web_server_123')
WHERE name = 'handle_request'`,
    adapt: ['float64'],
  },
  {
    source: 'functions-reference › `sum_histograms(histogram_column)`',
    sql: `-- Combine histograms across processes
SELECT sum_histograms(duration_histogram) as combined_histogram
FROM cpu_usage_per_process_per_minute
WHERE time_bin >= NOW() - INTERVAL '1 hour'`,
  },
  {
    source: 'functions-reference › `expand_histogram(histogram)`',
    sql: `-- Expand a CPU usage histogram into chartable rows
SELECT bin_center, count
FROM expand_histogram(
  (SELECT make_histogram(0.0, 100.0, 100, value)
   FROM measures
   WHERE name = 'cpu_usage')
)`,
  },
  {
    source: 'functions-reference › `expand_histogram(histogram)`',
    sql: `-- Histogram for a specific process
SELECT bin_center, count
FROM expand_histogram(
  (SELECT make_histogram(0.0, 50.0, 50, value)
   FROM view_instance('measures', 'my_process_123')
   WHERE name = 'frame_time')
)`,
  },
  {
    source: 'functions-reference › `quantile_from_histogram(histogram, quantile)`',
    sql: `-- Get median (50th percentile) response time
SELECT quantile_from_histogram(duration_histogram, 0.5) as median_duration
FROM performance_histograms`,
  },
  {
    source: 'functions-reference › `quantile_from_histogram(histogram, quantile)`',
    sql: `-- Get 95th percentile response time
SELECT quantile_from_histogram(duration_histogram, 0.95) as p95_duration
FROM performance_histograms`,
  },
  {
    source: 'functions-reference › `variance_from_histogram(histogram)`',
    sql: `-- Calculate response time variance
SELECT variance_from_histogram(duration_histogram) as duration_variance
FROM performance_histograms`,
  },
  {
    source: 'functions-reference › `count_from_histogram(histogram)`',
    sql: `-- Get total sample count from histogram
SELECT count_from_histogram(duration_histogram) as total_samples
FROM performance_histograms`,
  },
  {
    source: 'functions-reference › `sum_from_histogram(histogram)`',
    sql: `-- Get total duration from histogram
SELECT sum_from_histogram(duration_histogram) as total_duration
FROM performance_histograms`,
  },
  {
    source: 'functions-reference › `rgba(r, g, b, a)`',
    sql: `-- Opaque red.
SELECT rgba(1, 0, 0, 1) AS color -- 0xff0000ff`,
    fails: { why: WHY.RENDERING, error: /rgba does not exist/ },
  },
  {
    source: 'functions-reference › `rgba(r, g, b, a)`',
    sql: `-- 50% grey, fully opaque (round-half-up: 0.5 -> 128).
SELECT rgba(0.5, 0.5, 0.5, 1) AS color -- 0x808080ff`,
    fails: { why: WHY.RENDERING, error: /rgba does not exist/ },
  },
  {
    source: 'functions-reference › `rgba(r, g, b, a)`',
    sql: `-- Out-of-range values clamp safely (useful for normalized metrics).
SELECT rgba(value / max_value, 0.0, 1.0 - value / max_value, 1.0) AS color
FROM measures`,
    fails: { why: WHY.RENDERING, error: /rgba does not exist/ },
  },
  {
    source: 'functions-reference › `lerp_color(c1, c2, t)`',
    sql: `-- Hot/cold gradient over a metric, with full alpha.
-- \`t\` is clamped internally, so out-of-range ratios safely saturate.
SELECT x, y, z,
       lerp_color(rgba(0, 0.5, 1, 1),       -- cool
                  rgba(1, 0.2, 0, 1),       -- hot
                  value / 100.0) AS color
FROM my_events`,
    fails: { why: WHY.RENDERING, error: /my_events does not exist/ },
  },
  {
    source: 'functions-reference › `lerp_color(c1, c2, t)`',
    sql: `-- Equivalent endpoint construction via CAST.
SELECT lerp_color(CAST(4278190080 AS INT UNSIGNED),  -- 0xff000000
                  CAST(16711680   AS INT UNSIGNED),  -- 0x00ff0000
                  0.5) AS color -- 0x80800000`,
    adapt: ['int-unsigned'],
    fails: { why: WHY.RENDERING, error: /lerp_color does not exist/ },
  },
  {
    source: 'functions-reference › `color_scale(name, t, alpha)`',
    sql: `-- Density overlay with a perceptual scale; replaces the blue → red lerp.
SELECT x, y,
       color_scale('viridis', value / max_value, 0.7) AS color
FROM density_grid`,
    fails: { why: WHY.RENDERING, error: /density_grid does not exist/ },
  },
  {
    source: 'functions-reference › `color_scale(name, t, alpha)`',
    sql: `-- Dark-mode map cell: magma keeps the hottest cell bright yellow.
SELECT x, y,
       color_scale('magma', t, 1.0) AS color
FROM heatmap`,
    fails: { why: WHY.RENDERING, error: /heatmap does not exist/ },
  },
  {
    source: 'functions-reference › `color_scale(name, t, alpha)`',
    sql: `-- Pure turbo lookup (alpha = 1).
SELECT color_scale('turbo', 0.5, 1.0) -- mid-band turbo color`,
    fails: { why: WHY.RENDERING, error: /color_scale does not exist/ },
  },
  {
    source: 'functions-reference › `bin_center(coord, cell_size)`',
    sql: `-- 2D density grid over map events. Renderer sees (x, y, cnt) the same
-- way it sees raw points — no awareness of "cells" required.
SELECT bin_center(x, 50.0) AS x,
       bin_center(y, 50.0) AS y,
       COUNT(*) AS cnt
FROM events
GROUP BY 1, 2`,
    fails: { why: WHY.RENDERING, error: /events does not exist/ },
  },
  {
    source: 'functions-reference › `lerp(a, b, t)`',
    sql: `-- Alpha ramp from 0.5 to 1.0 as t goes 0 → 1. Swap the second
-- argument for whatever maximum alpha the caller wants.
SELECT color_scale('inferno', t, lerp(0.5, 1.0, t)) AS color
FROM scaled`,
    fails: { why: WHY.RENDERING, error: /scaled does not exist/ },
  },
  {
    source: 'functions-reference › `unlerp(a, b, x)`',
    sql: `-- Density normalization for a heatmap: t goes 0 → 1 across the visible range.
WITH scaled AS (
  SELECT cnt, unlerp(0.0, MAX(cnt) OVER (), CAST(cnt AS DOUBLE)) AS t
  FROM cells
)
SELECT cnt, t, color_scale('inferno', t, lerp(0.5, 1.0, t)) AS color
FROM scaled`,
    fails: { why: WHY.RENDERING, error: /cells does not exist/ },
  },
  {
    source: 'functions-reference › Histogram Analysis',
    sql: `-- Create performance histogram (0-100ms, 10 bins)
SELECT make_histogram(0.0, 100.0, 10, duration / 1000000.0) as response_time_ms_histogram
FROM view_instance('thread_spans', 'web_server')
WHERE name = 'handle_request'
  AND duration > 1000000 -- > 1ms`,
  },
  {
    source: 'functions-reference › Histogram Analysis',
    sql: `-- Analyze histogram statistics
SELECT 
    quantile_from_histogram(response_time_histogram, 0.5) as median_ms,
    quantile_from_histogram(response_time_histogram, 0.95) as p95_ms,
    quantile_from_histogram(response_time_histogram, 0.99) as p99_ms,
    variance_from_histogram(response_time_histogram) as variance,
    count_from_histogram(response_time_histogram) as sample_count,
    sum_from_histogram(response_time_histogram) as total_time_ms
FROM performance_histograms
WHERE time_bin >= NOW() - INTERVAL '1 hour'`,
  },
  {
    source: 'functions-reference › Histogram Analysis',
    sql: `-- Aggregate histograms across multiple processes
SELECT 
    time_bin,
    sum_histograms(cpu_usage_histo) as combined_cpu_histogram,
    quantile_from_histogram(sum_histograms(cpu_usage_histo), 0.95) as p95_cpu
FROM cpu_usage_per_process_per_minute
WHERE time_bin >= NOW() - INTERVAL '1 day'
GROUP BY time_bin
ORDER BY time_bin`,
  },
  {
    source: 'functions-reference › Property Extraction and Filtering',
    sql: `-- Find logs with specific thread names
SELECT time, level, msg, property_get(process_properties, 'thread-name') as thread
FROM log_entries
WHERE property_get(process_properties, 'thread-name') LIKE '%worker%'
ORDER BY time DESC`,
    noRows: WHY.THREAD_NAME,
  },
  {
    source: 'functions-reference › High-Performance JSONB Property Access',
    sql: `-- Convert properties to JSONB for better performance
SELECT
    time,
    msg,
    property_get(properties_to_jsonb(properties), 'service') as service,
    property_get(properties_to_jsonb(properties), 'version') as version
FROM log_entries
WHERE property_get(properties_to_jsonb(properties), 'env') = 'production'
  AND time >= NOW() - INTERVAL '1 hour'
ORDER BY time DESC`,
    noRows: WHY.LOG_ENV,
  },
  {
    source: 'functions-reference › High-Performance JSONB Property Access',
    sql: `-- Efficient property filtering with JSONB
WITH jsonb_logs AS (
    SELECT
        time,
        level,
        msg,
        properties_to_jsonb(properties) as jsonb_props
    FROM log_entries
    WHERE time >= NOW() - INTERVAL '1 day'
)
SELECT
    time,
    level,
    msg,
    property_get(jsonb_props, 'service') as service,
    property_get(jsonb_props, 'request_id') as request_id
FROM jsonb_logs
WHERE property_get(jsonb_props, 'error_code') IS NOT NULL
ORDER BY time DESC`,
    noRows: WHY.LOG_ERROR_CODE,
  },
  {
    source: 'functions-reference › High-Performance JSONB Property Access',
    sql: `-- Property aggregation with optimal performance
SELECT
    property_get(properties_to_jsonb(properties), 'service') as service,
    property_get(properties_to_jsonb(properties), 'env') as environment,
    COUNT(*) as event_count,
    COUNT(CASE WHEN level <= 2 THEN 1 END) as error_count
FROM log_entries
WHERE time >= NOW() - INTERVAL '1 hour'
  AND property_get(properties_to_jsonb(properties), 'service') IS NOT NULL
GROUP BY service, environment
ORDER BY error_count DESC`,
    noRows: WHY.LOG_SERVICE,
  },
  {
    source: 'functions-reference › JSON Data Processing',
    sql: `-- Parse and extract configuration from JSON logs
SELECT 
    time,
    msg,
    jsonb_as_string(jsonb_get(jsonb_parse(msg), 'service')) as service_name,
    jsonb_as_i64(jsonb_get(jsonb_parse(msg), 'port')) as port,
    jsonb_as_f64(jsonb_get(jsonb_parse(msg), 'cpu_limit')) as cpu_limit
FROM log_entries
WHERE msg LIKE '%{%'  -- Contains JSON
  AND jsonb_parse(msg) IS NOT NULL
ORDER BY time DESC`,
  },
  {
    source: 'functions-reference › JSON Data Processing',
    sql: `-- Aggregate metrics from JSON payloads
SELECT 
    jsonb_as_string(jsonb_get(jsonb_parse(msg), 'service')) as service,
    COUNT(*) as event_count,
    AVG(jsonb_as_f64(jsonb_get(jsonb_parse(msg), 'response_time'))) as avg_response_ms
FROM log_entries
WHERE msg LIKE '%response_time%'
  AND jsonb_parse(msg) IS NOT NULL
GROUP BY service
ORDER BY avg_response_ms DESC`,
  },
  {
    source: 'functions-reference › Time-based Aggregation',
    sql: `-- Hourly error counts
SELECT 
    date_trunc('hour', time) as hour,
    COUNT(*) as error_count
FROM log_entries
WHERE level <= 2  -- Fatal and Error
  AND time >= NOW() - INTERVAL '24 hours'
GROUP BY date_trunc('hour', time)
ORDER BY hour`,
  },
  {
    source: 'functions-reference › Performance Trace Analysis',
    sql: `-- Top 10 slowest functions with statistics
SELECT 
    name,
    COUNT(*) as call_count,
    AVG(duration) / 1000000.0 as avg_ms,
    MAX(duration) / 1000000.0 as max_ms,
    STDDEV(duration) / 1000000.0 as stddev_ms
FROM view_instance('thread_spans', 'my_process')
WHERE duration > 100000  -- > 0.1ms
GROUP BY name
ORDER BY avg_ms DESC
LIMIT 10`,
  },
  {
    source: 'index › Start Simple',
    sql: `-- Start with this
SELECT * FROM log_entries LIMIT 10`,
  },
  {
    source: 'index › Start Simple',
    sql: `-- Then add filtering
SELECT * FROM log_entries WHERE level <= 3 LIMIT 10`,
  },
  {
    source: 'index › Start Simple',
    sql: `-- Then add time range
SELECT * FROM log_entries
WHERE level <= 3 AND time >= NOW() - INTERVAL '1 hour'
LIMIT 10`,
  },
  {
    source: 'index › Use Process-Scoped Views',
    sql: `-- Instead of filtering the global view
SELECT * FROM log_entries WHERE process_id = 'my_process'`,
  },
  {
    source: 'index › Use Process-Scoped Views',
    sql: `-- Use a process-scoped view instance
SELECT * FROM view_instance('log_entries', 'my_process')`,
  },
  {
    source: 'performance › 2. Use Process-Scoped Views',
    sql: `-- Scans all data then filters
SELECT * FROM log_entries WHERE process_id = 'my_process'`,
  },
  {
    source: 'performance › 2. Use Process-Scoped Views',
    sql: `-- Uses optimized process partition
SELECT * FROM view_instance('log_entries', 'my_process')`,
  },
  {
    source: 'performance › Memory Considerations',
    sql: `-- Good for testing queries
SELECT * FROM log_entries LIMIT 1000`,
  },
  {
    source: 'query-audit-log › Querying the audit log',
    sql: `SELECT time, jsonb_parse(msg) AS j
FROM log_entries
WHERE target = 'flightsql_query_audit'
  AND time >= NOW() - INTERVAL '1 hour'
ORDER BY time DESC
LIMIT 20`,
    noRows: WHY.AUDIT_LOG,
  },
  {
    source: 'query-audit-log › Attribution and cost, grouped by client and user',
    sql: `WITH q AS (
  SELECT time, jsonb_parse(msg) AS j
  FROM log_entries
  WHERE target = 'flightsql_query_audit'
    AND time >= NOW() - INTERVAL '1 hour'
)
SELECT
  jsonb_as_string(jsonb_get(j, 'client')) AS client,
  jsonb_as_string(jsonb_get(j, 'email'))  AS email,
  count(*)                                            AS queries,
  sum(jsonb_as_f64(jsonb_get(j, 'total_ms')))         AS total_ms,
  approx_percentile_cont(jsonb_as_f64(jsonb_get(j, 'total_ms')), 0.95) AS p95_ms,
  sum(jsonb_as_i64(jsonb_get(j, 'bytes_scanned')))    AS bytes_scanned
FROM q
GROUP BY client, email
ORDER BY total_ms DESC`,
    noRows: WHY.AUDIT_LOG,
  },
  {
    source: 'query-audit-log › Slowest individual queries, with SQL for drill-down',
    sql: `WITH q AS (
  SELECT time, jsonb_parse(msg) AS j
  FROM log_entries
  WHERE target = 'flightsql_query_audit'
    AND time >= NOW() - INTERVAL '1 hour'
)
SELECT
  time,
  jsonb_as_string(jsonb_get(j, 'email')) AS email,
  jsonb_as_f64(jsonb_get(j, 'total_ms'))  AS total_ms,
  jsonb_as_i64(jsonb_get(j, 'bytes_scanned')) AS bytes_scanned,
  jsonb_as_string(jsonb_get(j, 'sql')) AS sql
FROM q
ORDER BY total_ms DESC
LIMIT 20`,
    noRows: WHY.AUDIT_LOG,
  },
  {
    source: 'query-audit-log › Most memory-hungry individual queries, with SQL for drill-down',
    sql: `WITH q AS (
  SELECT time, jsonb_parse(msg) AS j
  FROM log_entries
  WHERE target = 'flightsql_query_audit'
    AND time >= NOW() - INTERVAL '1 hour'
)
SELECT
  time,
  jsonb_as_string(jsonb_get(j, 'email')) AS email,
  jsonb_as_i64(jsonb_get(j, 'peak_memory_bytes')) AS peak_memory_bytes,
  jsonb_as_i64(jsonb_get(j, 'spilled_bytes')) AS spilled_bytes,
  jsonb_as_string(jsonb_get(j, 'sql')) AS sql
FROM q
ORDER BY peak_memory_bytes DESC
LIMIT 20`,
    noRows: WHY.AUDIT_LOG,
  },
  {
    source: 'query-audit-log › Top offenders by fingerprint, for the query deny list',
    sql: `WITH q AS (
  SELECT time, jsonb_parse(msg) AS j
  FROM log_entries
  WHERE target = 'flightsql_query_audit'
    AND time >= NOW() - INTERVAL '15 minutes'
)
SELECT
  jsonb_as_string(jsonb_get(j, 'sql_hash')) AS sql_hash,
  count(*)                                             AS queries,
  sum(jsonb_as_f64(jsonb_get(j, 'total_ms')))          AS total_ms,
  sum(jsonb_as_i64(jsonb_get(j, 'bytes_scanned')))     AS bytes_scanned,
  min(jsonb_as_string(jsonb_get(j, 'sql')))            AS sample_sql,
  min(jsonb_as_string(jsonb_get(j, 'client')))         AS sample_client,
  min(jsonb_as_string(jsonb_get(j, 'entrypoint')))     AS sample_entrypoint
FROM q
GROUP BY sql_hash
ORDER BY total_ms DESC
LIMIT 20`,
    noRows: WHY.AUDIT_LOG,
  },
  {
    source: 'query-audit-log › Failed queries grouped by `error_class`',
    sql: `WITH q AS (
  SELECT time, jsonb_parse(msg) AS j
  FROM log_entries
  WHERE target = 'flightsql_query_audit'
    AND time >= NOW() - INTERVAL '1 hour'
)
SELECT
  jsonb_as_string(jsonb_get(j, 'error_class')) AS error_class,
  count(*) AS failures
FROM q
WHERE jsonb_as_string(jsonb_get(j, 'status')) = 'error'
GROUP BY error_class
ORDER BY failures DESC`,
    noRows: WHY.AUDIT_LOG,
  },
  {
    source: 'query-patterns › Recent Errors',
    sql: `-- Get all errors from the last hour
SELECT time, process_id, target, msg
FROM log_entries
WHERE level <= 2  -- Fatal and Error
  AND time >= NOW() - INTERVAL '1 hour'
ORDER BY time DESC`,
  },
  {
    source: 'query-patterns › Error Trends',
    sql: `-- Hourly error counts for trend analysis
SELECT
    date_trunc('hour', time) as hour,
    COUNT(*) as error_count
FROM log_entries
WHERE level <= 2
  AND time >= NOW() - INTERVAL '24 hours'
GROUP BY date_trunc('hour', time)
ORDER BY hour`,
  },
  {
    source: 'query-patterns › Slow Operations',
    sql: `-- Find slowest function calls
SELECT
    name,
    AVG(duration) / 1000000.0 as avg_ms,
    MAX(duration) / 1000000.0 as max_ms,
    COUNT(*) as call_count
FROM view_instance('thread_spans', 'my_process')
WHERE duration > 10000000  -- > 10ms
GROUP BY name
ORDER BY avg_ms DESC
LIMIT 10`,
  },
  {
    source: 'query-patterns › Resource Usage',
    sql: `-- CPU and memory trends
SELECT
    date_trunc('minute', time) as minute,
    name,
    AVG(value) as avg_value,
    unit
FROM measures
WHERE name IN ('cpu_usage', 'memory_usage')
  AND time >= NOW() - INTERVAL '1 hour'
GROUP BY minute, name, unit
ORDER BY minute, name`,
  },
  {
    source: 'query-patterns › Top-Level Async Operations',
    sql: `-- Find slowest top-level async operations
SELECT
    name,
    AVG(duration_ms) as avg_duration,
    MAX(duration_ms) as max_duration,
    COUNT(*) as operation_count
FROM (
    SELECT
        begin_events.name,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'my_process') WHERE event_type = 'begin' AND depth = 0) begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'my_process') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
)
GROUP BY name
ORDER BY avg_duration DESC
LIMIT 10`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'query-patterns › Nested Async Operations',
    sql: `-- Find operations that spawn many async children
SELECT
    parent_name,
    parent_depth,
    COUNT(*) as child_count,
    AVG(child_duration_ms) as avg_child_duration
FROM (
    SELECT
        parent.name as parent_name,
        parent.depth as parent_depth,
        CAST((child_end.time - child_begin.time) AS BIGINT) / 1000000 as child_duration_ms
    FROM view_instance('async_events', 'my_process') parent
    JOIN view_instance('async_events', 'my_process') child_begin
         ON parent.span_id = child_begin.parent_span_id AND child_begin.event_type = 'begin'
    JOIN view_instance('async_events', 'my_process') child_end
         ON child_begin.span_id = child_end.span_id AND child_end.event_type = 'end'
    WHERE parent.event_type = 'begin'
)
GROUP BY parent_name, parent_depth
HAVING COUNT(*) > 5  -- Operations with many children
ORDER BY child_count DESC`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'query-patterns › Async Operation Timeline',
    sql: `-- Timeline view of async operations with depth hierarchy
SELECT
    time,
    event_type,
    name,
    depth,
    span_id,
    parent_span_id,
    REPEAT('  ', depth) || name as indented_name  -- Visual hierarchy
FROM view_instance('async_events', 'my_process')
WHERE time >= NOW() - INTERVAL '10 minutes'
ORDER BY time`,
  },
  {
    source: 'schema-reference › `processes`',
    sql: `-- Get all processes from the last day
SELECT process_id, exe, computer, start_time
FROM processes
WHERE start_time >= NOW() - INTERVAL '1 day'
ORDER BY start_time DESC`,
  },
  {
    source: 'schema-reference › `processes`',
    sql: `-- Find processes by executable name
SELECT process_id, exe, username, computer
FROM processes
WHERE exe LIKE '%analytics%'`,
  },
  {
    source: 'schema-reference › `streams`',
    sql: `-- Get streams for a specific process
SELECT stream_id, tags, properties
FROM streams
WHERE process_id = 'my_process_123'`,
  },
  {
    source: 'schema-reference › `streams`',
    sql: `-- Join streams with process information
SELECT s.stream_id, s.tags, p.exe, p.computer
FROM streams s
JOIN processes p ON s.process_id = p.process_id`,
  },
  {
    source: 'schema-reference › `blocks`',
    sql: `-- Analyze block sizes and object counts
SELECT
    process_id,
    AVG(payload_size) as avg_block_size,
    AVG(nb_objects) as avg_objects_per_block,
    COUNT(*) as total_blocks
FROM blocks
WHERE insert_time >= NOW() - INTERVAL '1 hour'
GROUP BY process_id`,
  },
  {
    source: 'schema-reference › Log Levels',
    sql: `-- Get recent error and warning logs
SELECT time, process_id, level, target, msg
FROM log_entries
WHERE level <= 3  -- Fatal, Error, Warn
  AND time >= NOW() - INTERVAL '1 hour'
ORDER BY time DESC`,
  },
  {
    source: 'schema-reference › Log Levels',
    sql: `-- Count logs by level for a specific process
SELECT level, COUNT(*) as count
FROM view_instance('log_entries', 'my_process_123')
WHERE time >= NOW() - INTERVAL '1 day'
GROUP BY level
ORDER BY level`,
  },
  {
    source: 'schema-reference › `log_stats`',
    sql: `-- Analyze log volume trends over the last hour
SELECT 
    time_bin,
    SUM(count) as total_logs,
    SUM(CASE WHEN level <= 2 THEN count ELSE 0 END) as error_count
FROM log_stats
WHERE time_bin >= NOW() - INTERVAL '1 hour'
GROUP BY time_bin
ORDER BY time_bin`,
  },
  {
    source: 'schema-reference › `log_stats`',
    sql: `-- Find noisiest modules by log volume
SELECT 
    target,
    SUM(count) as total_logs,
    COUNT(DISTINCT time_bin) as active_minutes
FROM log_stats
WHERE time_bin >= NOW() - INTERVAL '1 day'
GROUP BY target
ORDER BY total_logs DESC
LIMIT 20`,
  },
  {
    source: 'schema-reference › `log_stats`',
    sql: `-- Monitor error rate by process
SELECT 
    process_id,
    time_bin,
    SUM(CASE WHEN level <= 2 THEN count ELSE 0 END) * 100.0 / SUM(count) as error_percentage
FROM log_stats
WHERE time_bin >= NOW() - INTERVAL '6 hours'
GROUP BY process_id, time_bin
HAVING SUM(count) > 100  -- Filter out low-volume periods
ORDER BY time_bin, error_percentage DESC`,
    rowsVary: WHY.LOG_VOLUME,
  },
  {
    source: 'schema-reference › `log_stats`',
    sql: `-- Compare log levels distribution
SELECT 
    level,
    SUM(count) as total_count,
    SUM(count) * 100.0 / (SELECT SUM(count) FROM log_stats WHERE time_bin >= NOW() - INTERVAL '1 day') as percentage
FROM log_stats
WHERE time_bin >= NOW() - INTERVAL '1 day'
GROUP BY level
ORDER BY level`,
  },
  {
    source: 'schema-reference › `measures`',
    sql: `-- Get CPU metrics over time
SELECT time, value, unit
FROM measures
WHERE name = 'cpu_usage'
  AND time >= NOW() - INTERVAL '1 hour'
ORDER BY time`,
  },
  {
    source: 'schema-reference › `measures`',
    sql: `-- Aggregate memory usage by process
SELECT
    process_id,
    AVG(value) as avg_memory,
    MAX(value) as peak_memory,
    unit
FROM measures
WHERE name LIKE '%memory%'
  AND time >= NOW() - INTERVAL '1 hour'
GROUP BY process_id, unit`,
  },
  {
    source: 'schema-reference › `thread_spans`',
    sql: `-- Get slowest functions in a stream
SELECT name, AVG(duration) as avg_duration_ns, COUNT(*) as call_count
FROM view_instance('thread_spans', 'stream_123')
WHERE duration > 1000000  -- > 1ms
GROUP BY name
ORDER BY avg_duration_ns DESC
LIMIT 10`,
  },
  {
    source: 'schema-reference › `thread_spans`',
    sql: `-- Analyze call hierarchy
SELECT depth, name, duration
FROM view_instance('thread_spans', 'stream_123')
WHERE parent = 42  -- specific parent span
ORDER BY begin`,
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Find top-level async operations (depth = 0) with performance metrics
SELECT
    name,
    depth,
    AVG(duration_ms) as avg_duration,
    COUNT(*) as operation_count
FROM (
    SELECT
        begin_events.name,
        begin_events.depth,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'my_process_123') WHERE event_type = 'begin') begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'my_process_123') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL AND begin_events.depth = 0
)
GROUP BY name, depth
ORDER BY avg_duration DESC`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Compare performance by call depth
SELECT
    depth,
    COUNT(*) as span_count,
    AVG(duration_ms) as avg_duration,
    MIN(duration_ms) as min_duration,
    MAX(duration_ms) as max_duration
FROM (
    SELECT
        begin_events.depth,
        CAST((end_events.time - begin_events.time) AS BIGINT) / 1000000 as duration_ms
    FROM
        (SELECT * FROM view_instance('async_events', 'my_process_123') WHERE event_type = 'begin') begin_events
    LEFT JOIN
        (SELECT * FROM view_instance('async_events', 'my_process_123') WHERE event_type = 'end') end_events
        ON begin_events.span_id = end_events.span_id
    WHERE end_events.span_id IS NOT NULL
)
GROUP BY depth
ORDER BY depth`,
    adapt: ['timestamp-difference'],
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Find operations that spawn many nested async calls
SELECT
    name,
    depth,
    COUNT(*) as nested_count
FROM view_instance('async_events', 'my_process_123')
WHERE depth > 0 AND event_type = 'begin'
GROUP BY name, depth
HAVING COUNT(*) > 5  -- Functions that create multiple nested async operations
ORDER BY nested_count DESC, depth DESC`,
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Analyze async call hierarchy and parent-child relationships
SELECT
    parent.name as parent_operation,
    parent.depth as parent_depth,
    child.name as child_operation,
    child.depth as child_depth,
    COUNT(*) as relationship_count
FROM view_instance('async_events', 'my_process_123') parent
JOIN view_instance('async_events', 'my_process_123') child
     ON parent.span_id = child.parent_span_id
WHERE parent.event_type = 'begin' AND child.event_type = 'begin'
GROUP BY parent.name, parent.depth, child.name, child.depth
ORDER BY relationship_count DESC`,
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Filter async operations by depth level for focused analysis
-- Shallow operations only (depth <= 2)
SELECT name, event_type, time, depth, span_id
FROM view_instance('async_events', 'my_process_123')
WHERE depth <= 2
ORDER BY time`,
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Deep nested operations only (depth >= 3)
SELECT name, depth, COUNT(*) as deep_operation_count
FROM view_instance('async_events', 'my_process_123')
WHERE depth >= 3 AND event_type = 'begin'
GROUP BY name, depth
ORDER BY depth DESC, deep_operation_count DESC`,
  },
  {
    source: 'schema-reference › `async_events`',
    sql: `-- Track async operation lifecycle with depth context
SELECT time, event_type, name, span_id, parent_span_id, depth
FROM view_instance('async_events', 'my_process_123')
WHERE span_id = 12345
ORDER BY time`,
  },
  {
    source: 'schema-reference › `net_spans`',
    sql: `-- Flame-chart-friendly query: feeds the Flame Graph cell with X=bits.
SELECT span_id         AS id,
       parent_span_id  AS parent,
       name,
       depth,
       begin_bits      AS begin,
       end_bits        AS end,
       bit_size,
       kind,
       connection_name,
       is_outgoing
FROM view_instance('net_spans', '<process_id>')
WHERE connection_name = '127.0.0.1:7777' AND is_outgoing = false`,
    fails: { why: WHY.NET_SPANS, error: /unknown view set 'net_spans'/ },
  },
  {
    source: 'schema-reference › `net_spans`',
    sql: `-- Top 10 properties by bandwidth across the whole capture
SELECT name, connection_name, SUM(bit_size) AS total_bits
FROM view_instance('net_spans', '<process_id>')
WHERE kind = 'property'
GROUP BY name, connection_name
ORDER BY total_bits DESC
LIMIT 10`,
    fails: { why: WHY.NET_SPANS, error: /unknown view set 'net_spans'/ },
  },
  {
    source: 'schema-reference › `net_spans`',
    sql: `-- Per-connection outgoing bandwidth
SELECT connection_name, SUM(bit_size) AS bits
FROM view_instance('net_spans', '<process_id>')
WHERE kind = 'connection' AND is_outgoing = true
GROUP BY connection_name
ORDER BY bits DESC`,
    fails: { why: WHY.NET_SPANS, error: /unknown view set 'net_spans'/ },
  },
  {
    source: 'schema-reference › `otel_spans`',
    sql: `-- All spans in a single trace, ordered chronologically
SELECT name, kind, status, duration,
       encode(span_id, 'hex') AS span,
       encode(parent_span_id, 'hex') AS parent
FROM view_instance('otel_spans', '<process_id>')
WHERE trace_id = decode('0123456789abcdef0123456789abcdef', 'hex')
ORDER BY start_time`,
    adapt: ['hex-ids'],
    noRows: WHY.OTEL_SPANS,
  },
  {
    source: 'schema-reference › `otel_spans`',
    sql: `-- Top 10 slowest server spans
SELECT name, AVG(duration) AS avg_ns, COUNT(*) AS calls
FROM view_instance('otel_spans', '<process_id>')
WHERE kind = 'SERVER'
GROUP BY name
ORDER BY avg_ns DESC
LIMIT 10`,
    noRows: WHY.OTEL_SPANS,
  },
  {
    source: 'schema-reference › `otel_spans`',
    sql: `-- Error spans with their scope library
SELECT name,
       jsonb_as_string(jsonb_get(properties, 'otel.scope.name')) AS library,
       status_message
FROM view_instance('otel_spans', '<process_id>')
WHERE status = 'ERROR'
ORDER BY start_time DESC`,
    noRows: WHY.OTEL_SPANS,
  },
  {
    source: 'schema-reference › `otel_spans`',
    sql: `-- Filter by instrumentation library
SELECT COUNT(*) AS span_count
FROM view_instance('otel_spans', '<process_id>')
WHERE jsonb_as_string(jsonb_get(properties, 'otel.scope.name'))
      = 'opentelemetry.instrumentation.requests'`,
  },
  {
    source: 'schema-reference › `images`',
    sql: `-- List all screenshots captured by a process
SELECT time, name, format, payload_size
FROM view_instance('images', '<process_id>')
ORDER BY time DESC`,
    fails: { why: WHY.IMAGES, error: /unknown view set 'images'/ },
  },
  {
    source: 'schema-reference › `images`',
    sql: `-- Count images per process in the last hour
SELECT process_id, exe, COUNT(*) AS image_count
FROM images
WHERE time >= NOW() - INTERVAL '1 hour'
GROUP BY process_id, exe
ORDER BY image_count DESC`,
    fails: { why: WHY.IMAGES, error: /images does not exist/ },
  },
  {
    source: 'schema-reference › Properties',
    sql: `-- Access property values using property_get function (works with all formats)
SELECT property_get(process_properties, 'thread-name') as thread_name
FROM log_entries
WHERE property_get(process_properties, 'thread-name') IS NOT NULL`,
    noRows: WHY.THREAD_NAME,
  },
  {
    source: 'schema-reference › Properties',
    sql: `-- Count properties using properties_length
SELECT properties_length(properties) as prop_count
FROM log_entries
WHERE properties_length(properties) > 0`,
  },
  {
    source: 'schema-reference › View Relationships',
    sql: `-- Join log entries with process information
SELECT l.time, l.level, l.msg, p.exe, p.computer
FROM log_entries l
JOIN processes p ON l.process_id = p.process_id
WHERE l.level <= 2 -- Fatal and Error only`,
  },
  {
    source: 'schema-reference › View Relationships',
    sql: `-- Join measures with stream information
SELECT m.time, m.name, m.value, s.tags
FROM measures m
JOIN streams s ON m.stream_id = s.stream_id
WHERE m.name = 'cpu_usage'`,
  },
  {
    source: 'schema-reference › View Instances',
    sql: `-- Better performance for single process
SELECT * FROM view_instance('log_entries', 'process_123')`,
  },
  {
    source: 'schema-reference › View Instances',
    sql: `-- Less efficient for single process
SELECT * FROM log_entries WHERE process_id = 'process_123'`,
  },
];
