/** Measures: integer and float values with a name, unit and target, optional properties. */
import type { MetricDescriptor } from '@micromegas/wire';
import { FLOAT_MEASURE, INT_MEASURE, type PropertyBag } from './event-buffer.js';
import { active } from './state.js';
import { metricDescriptor } from './descriptors.js';
import { metricId } from './registry.js';

export class Metric {
  private readonly id: number;

  constructor(
    readonly desc: MetricDescriptor,
    private readonly kind: typeof INT_MEASURE | typeof FLOAT_MEASURE,
  ) {
    this.id = metricId(desc);
  }

  record(value: number, properties?: PropertyBag): void {
    const buf = active.metrics;
    if (buf !== null) buf.measure(this.kind, this.id, +value, properties);
  }
}

/** An integer measure (a safe integer; anything else is sent as a float). Target: the calling module. */
export function intMetric(name: string, unit: string, target?: string): Metric {
  return new Metric(metricDescriptor(name, unit, target, 1), INT_MEASURE);
}

export function floatMetric(name: string, unit: string, target?: string): Metric {
  return new Metric(metricDescriptor(name, unit, target, 1), FLOAT_MEASURE);
}

const interned = [new Map<string, Metric>(), new Map<string, Metric>()];

function lookup(kind: typeof INT_MEASURE | typeof FLOAT_MEASURE, name: string, unit: string): Metric {
  const map = interned[kind - INT_MEASURE]!;
  let metric = map.get(name);
  if (metric === undefined || metric.desc.unit !== unit) {
    metric = new Metric(metricDescriptor(name, unit, undefined, 2), kind);
    map.set(name, metric);
  }
  return metric;
}

/** Records an integer measure by name (interned on first use). */
export function imetric(name: string, unit: string, value: number, properties?: PropertyBag): void {
  lookup(INT_MEASURE, name, unit).record(value, properties);
}

/** Records a float measure by name (interned on first use). */
export function fmetric(name: string, unit: string, value: number, properties?: PropertyBag): void {
  lookup(FLOAT_MEASURE, name, unit).record(value, properties);
}
