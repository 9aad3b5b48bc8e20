/**
 * Scalar and aggregate SQL functions of the micromegas dialect, as DuckDB macros defined once per
 * engine (before the configuration is locked). Helpers carry a `mm_` prefix.
 */
export const MACROS: readonly string[] = [
  // properties: a list of {key, value} structs; NULL when the key is absent.
  `CREATE MACRO property_get(properties, name) AS
     list_extract(list_filter(properties, lambda p: p.key = name), 1).value`,

  // An aggregate: a histogram of `value` over [range_begin, range_end] in `bins` equal bins, with the
  // summary statistics. Values outside the range count in min/max/sum/count but in no bin.
  `CREATE MACRO make_histogram(range_begin, range_end, bins, value) AS {
     'start': CAST(range_begin AS DOUBLE),
     'end': CAST(range_end AS DOUBLE),
     'min': min(CAST(value AS DOUBLE)),
     'max': max(CAST(value AS DOUBLE)),
     'sum': sum(CAST(value AS DOUBLE)),
     'sum_sq': sum(CAST(value AS DOUBLE) * CAST(value AS DOUBLE)),
     'count': CAST(count(value) AS UBIGINT),
     'bins': coalesce(
       map_values(histogram(
         CASE WHEN value >= range_begin AND value <= range_end
           THEN CAST(least(floor((value - range_begin) / (range_end - range_begin) * bins), bins - 1) AS BIGINT) END,
         range(0, bins)))[1:bins],
       list_transform(range(0, bins), lambda i: CAST(0 AS UBIGINT)))
   }`,

  // Running totals of a bin list.
  `CREATE MACRO mm_cumulative(bins) AS list_transform(range(1, len(bins) + 1), lambda i: list_sum(bins[1:i]))`,
  // The value below which `target` of the histogram's counts fall, interpolated linearly within its bin.
  `CREATE MACRO mm_interpolate(h, cumulative, target, bin) AS
     h.start + (bin - 1 + (target - (cumulative[bin] - h.bins[bin])) / h.bins[bin]) * (h.end - h.start) / len(h.bins)`,
  // The q-quantile (0 ≤ q ≤ 1) estimated from a histogram made by make_histogram; NULL when it is empty.
  `CREATE MACRO quantile_from_histogram(h, q) AS
     mm_interpolate(h, mm_cumulative(h.bins), q * list_sum(h.bins),
       list_position(list_transform(mm_cumulative(h.bins), lambda c: c > 0 AND c >= q * list_sum(h.bins)), true))`,
];
