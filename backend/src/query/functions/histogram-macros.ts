/**
 * micromegas' histogram functions. A histogram is the struct micromegas' make_histogram returns,
 * same field names and types: {start, end, min, max, sum, sum_sq: DOUBLE, count: UBIGINT,
 * bins: UBIGINT[]}, `bins` equal-width bins over [start, end]. A value outside the range counts in the
 * first or last bin, as there; so every non-NULL value is in exactly one bin and `count` is their sum.
 */

export const HISTOGRAM = 'STRUCT("start" DOUBLE, "end" DOUBLE, "min" DOUBLE, "max" DOUBLE, "sum" DOUBLE, "sum_sq" DOUBLE, "count" UBIGINT, bins UBIGINT[])';

export const HISTOGRAM_MACROS: readonly string[] = [
  // The bin of `value` (0-based), computed as micromegas does (floor of the offset over the bin width,
  // clamped), so a value on a bin edge lands in the same bin. A zero-width range puts values above
  // its start in the last bin, the others in the first. NULL stays NULL (greatest() would skip it).
  `CREATE MACRO mm_histogram_bin(range_begin, range_end, bins, value) AS CAST(CASE
     WHEN value IS NULL THEN NULL
     WHEN range_end = range_begin THEN CASE WHEN value > range_begin THEN bins - 1 ELSE 0 END
     ELSE least(greatest(floor((value - range_begin) / ((range_end - range_begin) / bins)), 0), bins - 1) END AS BIGINT)`,
  `CREATE MACRO mm_histogram_check(range_begin, range_end, bins) AS CASE
     WHEN bins IS NULL OR bins < 1 THEN error('make_histogram: bins must be >= 1, got ' || coalesce(CAST(bins AS VARCHAR), 'NULL'))
     WHEN NOT isfinite(CAST(range_begin AS DOUBLE)) OR NOT isfinite(CAST(range_end AS DOUBLE))
       THEN error('make_histogram: start and end must be finite, got ' || coalesce(CAST(range_begin AS VARCHAR), 'NULL') || ' and ' || coalesce(CAST(range_end AS VARCHAR), 'NULL'))
     WHEN range_begin > range_end THEN error('make_histogram: start (' || range_begin || ') must be <= end (' || range_end || ')')
     ELSE CAST(range_begin AS DOUBLE) END`,

  // An aggregate: the histogram of `value` (NULLs skipped) over [range_begin, range_end] in `bins`
  // bins. Over no value, min and max are NULL (micromegas: f64::MAX and f64::MIN).
  `CREATE MACRO make_histogram(range_begin, range_end, bins, value) AS {
     'start': mm_histogram_check(range_begin, range_end, bins),
     'end': CAST(range_end AS DOUBLE),
     'min': min(CAST(value AS DOUBLE)),
     'max': max(CAST(value AS DOUBLE)),
     'sum': coalesce(sum(CAST(value AS DOUBLE)), 0),
     'sum_sq': coalesce(sum(CAST(value AS DOUBLE) * CAST(value AS DOUBLE)), 0),
     'count': CAST(count(value) AS UBIGINT),
     'bins': coalesce(
       map_values(histogram(mm_histogram_bin(CAST(range_begin AS DOUBLE), CAST(range_end AS DOUBLE), bins, CAST(value AS DOUBLE)), range(0, bins)))[1:bins],
       list_transform(range(0, bins), lambda i: CAST(0 AS UBIGINT)))
   }`,

  // An aggregate: histograms of one range and bin count summed bin by bin (NULLs skipped); NULL when
  // there are none. Histograms of different shapes are an error, as in micromegas.
  `CREATE MACRO sum_histograms(h ${HISTOGRAM}) AS CASE
     WHEN min(h.start) <> max(h.start) OR min(h."end") <> max(h."end") OR min(len(h.bins)) <> max(len(h.bins))
       THEN error('sum_histograms: the histograms differ in range or bin count (incompatible histograms)')
     WHEN count(h) > 0 THEN {
       'start': min(h.start), 'end': min(h."end"), 'min': min(h.min), 'max': max(h.max),
       'sum': sum(h.sum), 'sum_sq': sum(h.sum_sq), 'count': CAST(sum(h.count) AS UBIGINT),
       'bins': list_reduce(list(h.bins) FILTER (WHERE h IS NOT NULL),
         lambda a, b: list_transform(range(1, len(a) + 1), lambda i: a[i] + b[i]))
     } END`,

  // Running totals of a bin list.
  `CREATE MACRO mm_cumulative(bins) AS list_transform(range(1, len(bins) + 1), lambda i: list_sum(bins[1:i]))`,
  // The estimate within 1-based bin `bin`, as micromegas interpolates it: (1 - r) * bin start + r * bin end.
  `CREATE MACRO mm_interpolate(h, cumulative, target, bin) AS
     (1 - (target - (cumulative[bin] - h.bins[bin])) / h.bins[bin]) * (h.start + (bin - 1) * (h."end" - h.start) / len(h.bins))
       + (target - (cumulative[bin] - h.bins[bin])) / h.bins[bin] * (h.start + bin * (h."end" - h.start) / len(h.bins))`,
  // The q-quantile (0 ≤ q ≤ 1), interpolated within the first non-empty bin where the running count
  // reaches q * count (the end of the range past the last). NULL for an empty histogram
  // (micromegas: the end of the range).
  `CREATE MACRO quantile_from_histogram(h ${HISTOGRAM}, q DOUBLE) AS CASE WHEN h.count > 0 THEN coalesce(
     mm_interpolate(h, mm_cumulative(h.bins), q * h.count,
       list_position(list_transform(mm_cumulative(h.bins), lambda c, i: h.bins[i] > 0 AND c >= q * h.count), true)),
     h."end") END`,

  // Sample variance (n - 1 in the denominator), from the sums; NULL below two values (micromegas: NaN).
  `CREATE MACRO variance_from_histogram(h ${HISTOGRAM}) AS CASE WHEN h.count > 1 THEN
     (h.sum_sq / CAST(h.count AS DOUBLE) - (h.sum / CAST(h.count AS DOUBLE)) ** 2) * CAST(h.count AS DOUBLE) / (CAST(h.count AS DOUBLE) - 1) END`,
  // The bins as {bin_center, count}, in order: the rows of the table function expand_histogram(). A
  // zero-width range gets unit-wide bins, as in micromegas.
  `CREATE MACRO expand_histogram(histogram ${HISTOGRAM}) AS list_transform(range(len(histogram.bins)), lambda i: {
     'bin_center': histogram.start + (i + 0.5) * CASE WHEN abs(histogram."end" - histogram.start) < 2.220446049250313e-16
       THEN 1 ELSE (histogram."end" - histogram.start) / len(histogram.bins) END,
     'count': histogram.bins[i + 1]})`,
  `CREATE MACRO count_from_histogram(h ${HISTOGRAM}) AS h.count`,
  `CREATE MACRO sum_from_histogram(h ${HISTOGRAM}) AS h.sum`,
];
