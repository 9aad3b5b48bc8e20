/**
 * Ids for what events reference: span and metric descriptors and log targets, numbered per thread
 * in order of creation. The hot path stores an id; the sink worker learns each definition once
 * (all of them when it starts, then those created since, with the next block handed over).
 */
import type { MetricDescriptor, SpanDescriptor } from '@micromegas/wire';

/** Free-form log targets beyond this many are not interned: they travel with the event. */
export const MAX_TARGETS = 4096;
/** The `ref` of a log whose target string precedes its message in the block's strings. */
export const INLINE_TARGET = 0xffffffff;

export interface Definitions {
  spans: SpanDescriptor[];
  metrics: MetricDescriptor[];
  targets: string[];
}

const spans: SpanDescriptor[] = [];
const metrics: MetricDescriptor[] = [];
const targets: string[] = [];
const targetIds = new Map<string, number>();
/** How many of each the current sink worker knows. */
let sent = { spans: 0, metrics: 0, targets: 0 };

export function spanId(desc: SpanDescriptor): number {
  return spans.push(desc) - 1;
}

export function metricId(desc: MetricDescriptor): number {
  return metrics.push(desc) - 1;
}

/** The target's id, or INLINE_TARGET once MAX_TARGETS distinct targets exist. */
export function targetId(target: string): number {
  let id = targetIds.get(target);
  if (id === undefined) {
    if (targets.length >= MAX_TARGETS) return INLINE_TARGET;
    id = targets.push(target) - 1;
    targetIds.set(target, id);
  }
  return id;
}

/** Everything defined so far, for a sink worker that starts now. */
export function allDefinitions(): Definitions {
  sent = { spans: spans.length, metrics: metrics.length, targets: targets.length };
  return { spans: [...spans], metrics: [...metrics], targets: [...targets] };
}

/** What was defined since the last call (or allDefinitions), or undefined if nothing. */
export function newDefinitions(): Definitions | undefined {
  if (spans.length === sent.spans && metrics.length === sent.metrics && targets.length === sent.targets) return undefined;
  const fresh = { spans: spans.slice(sent.spans), metrics: metrics.slice(sent.metrics), targets: targets.slice(sent.targets) };
  sent = { spans: spans.length, metrics: metrics.length, targets: targets.length };
  return fresh;
}
