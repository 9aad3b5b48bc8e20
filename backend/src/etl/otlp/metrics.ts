/**
 * OTLP data points as measures rows (scope name as target, metric name and unit, the point's time
 * and attributes, plus otel.metric.kind and, for sums and histograms, micromegas'
 * otel.metric.aggregation_temporality and otel.metric.is_monotonic). Gauges and sums give one row per
 * point (integers as doubles). Histograms, exponential histograms and summaries give their
 * statistics as `<name>_count`, `<name>_sum`, `<name>_min` and `<name>_max` rows (those present;
 * a summary's min and max are its 0 and 1 quantiles): their buckets and other quantiles stay in the
 * stored payload but have no view yet. Points flagged "no recorded value" give no row.
 */
import type { AggregateDataPoint, ExportMetricsServiceRequest, KeyValue, Metric, NumberDataPoint } from '../../lake/otlp/schema.js';
import { toBigInt } from '../../lake/otlp/schema.js';
import { attributeMap } from '../../lake/otlp/values.js';
import type { ViewBuilder } from '../view-builder.js';
import type { Offset } from './visit.js';

const NO_RECORDED_VALUE = 1;

type Row = (name: string, unit: string, value: number) => void;

function kindProperties(metric: Metric): [string, string][] {
  switch (metric.data) {
    case 'sum': return [
      ['otel.metric.kind', 'sum'],
      ['otel.metric.aggregation_temporality', String(metric.sum!.aggregationTemporality)],
      ['otel.metric.is_monotonic', String(metric.sum!.isMonotonic)],
    ];
    case 'histogram': return [['otel.metric.kind', 'histogram'], ['otel.metric.aggregation_temporality', String(metric.histogram!.aggregationTemporality)]];
    case 'exponentialHistogram': return [
      ['otel.metric.kind', 'exponential_histogram'],
      ['otel.metric.aggregation_temporality', String(metric.exponentialHistogram!.aggregationTemporality)],
    ];
    case 'summary': return [['otel.metric.kind', 'summary']];
    default: return [['otel.metric.kind', 'gauge']];
  }
}

function numberRows(metric: Metric, point: NumberDataPoint, row: Row): number {
  row(metric.name, metric.unit, point.value === 'asInt' ? Number(toBigInt(point.asInt, true)) : point.asDouble ?? 0);
  return 1;
}

function statisticRows(metric: Metric, point: AggregateDataPoint, row: Row): number {
  const { name, unit } = metric;
  const quantile = (q: number) => point.quantileValues?.find((v) => v.quantile === q)?.value;
  const min = metric.data === 'summary' ? quantile(0) : point.min;
  const max = metric.data === 'summary' ? quantile(1) : point.max;
  const stats: [string, string, number | null | undefined][] = [
    [`${name}_count`, '', Number(toBigInt(point.count))],
    [`${name}_sum`, unit, point.sum],
    [`${name}_min`, unit, min],
    [`${name}_max`, unit, max],
  ];
  let n = 0;
  for (const [statName, statUnit, value] of stats) {
    if (value === null || value === undefined) continue;
    row(statName, statUnit, value);
    n++;
  }
  return n;
}

export function visitMetrics(request: ExportMetricsServiceRequest, offset: Offset, builder: ViewBuilder): number {
  let n = 0;
  for (const rm of request.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      const target = sm.scope?.name ?? '';
      for (const metric of sm.metrics) {
        const kind = kindProperties(metric);
        const data = metric.data === undefined ? undefined : metric[metric.data] as { dataPoints: (NumberDataPoint | AggregateDataPoint)[] } | undefined;
        for (const point of data?.dataPoints ?? []) {
          if ((point.flags & NO_RECORDED_VALUE) !== 0) continue;
          const at = offset(toBigInt(point.timeUnixNano));
          const properties = attributeMap(point.attributes as KeyValue[]);
          for (const [key, value] of kind) properties.set(key, value);
          const row: Row = (name, unit, value) => builder.measureAt(at, target, name, unit, value, properties);
          n += metric.data === 'gauge' || metric.data === 'sum'
            ? numberRows(metric, point as NumberDataPoint, row)
            : statisticRows(metric, point as AggregateDataPoint, row);
        }
      }
    }
  }
  return n;
}
