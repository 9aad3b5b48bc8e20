/**
 * DataFusion's behaviour where micromegas' documented queries rely on it and DuckDB differs: they
 * then run as written.
 */
export const DATAFUSION_MACROS: readonly string[] = [
  // now() is a nanosecond UTC timestamp, as DataFusion's (Timestamp(ns, "+00:00")), so that
  // `time >= now() - INTERVAL '1 hour'` compares with the views' TIMESTAMP_NS columns: DuckDB's
  // TIMESTAMP WITH TIME ZONE does not. current_timestamp calls get_current_timestamp(). These
  // macros shadow DuckDB's functions of the same names.
  'CREATE MACRO now() AS make_timestamp_ns(epoch_ns(transaction_timestamp()))',
  'CREATE MACRO get_current_timestamp() AS make_timestamp_ns(epoch_ns(transaction_timestamp()))',
  // An aggregate: the approximate percentile (t-digest), DuckDB's approx_quantile.
  'CREATE MACRO approx_percentile_cont(value, percentile) AS approx_quantile(value, percentile)',
];
