/**
 * Descriptor creation for spans and metrics: done once per call site or name, never per event.
 * A descriptor's default target is the module (file name without extension) that created it.
 */
import path from 'node:path';
import type { MetricDescriptor, SpanDescriptor } from '@micromegas/wire';
import { callSite } from './callsite.js';

export interface DescriptorOptions {
  target?: string;
  filename?: string;
  line?: number;
}

function moduleName(filename: string): string {
  return path.basename(filename).replace(/\.[cm]?[jt]s$/, '') || 'app';
}

/** `depth`: frames between the user's call and this function. */
export function spanDescriptor(name: string, options: DescriptorOptions, depth: number): SpanDescriptor {
  const site = options.filename === undefined ? callSite(depth + 1) : { filename: options.filename, line: options.line ?? 0 };
  return {
    name: String(name),
    target: options.target ?? moduleName(site.filename),
    filename: site.filename,
    line: options.line ?? site.line,
  };
}

export function metricDescriptor(name: string, unit: string, target: string | undefined, depth: number): MetricDescriptor {
  return {
    name: String(name),
    unit: String(unit),
    target: target ?? moduleName(callSite(depth + 1).filename),
  };
}
