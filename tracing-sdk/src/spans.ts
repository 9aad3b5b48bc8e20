/**
 * Thread spans: nested synchronous scopes on this thread's `cpu` stream. Depth is tracked so an
 * unmatched end() is ignored instead of corrupting the nesting the views rebuild from the stream.
 */
import type { SpanDescriptor } from '@micromegas/wire';
import { SPAN_BEGIN, SPAN_END } from './event-buffer.js';
import { active } from './state.js';
import { spanDescriptor, type DescriptorOptions } from './descriptors.js';
import { spanId } from './registry.js';

let depth = 0;

/** Open thread spans on this thread. */
export function spanDepth(): number {
  return depth;
}

export class SpanScope {
  private readonly id: number;

  constructor(readonly desc: SpanDescriptor) {
    this.id = spanId(desc);
  }

  begin(): void {
    const buf = active.cpu;
    if (buf === null) return;
    depth++;
    buf.span(SPAN_BEGIN, this.id);
  }

  end(): void {
    const buf = active.cpu;
    if (buf === null || depth === 0) return;
    depth--;
    buf.span(SPAN_END, this.id);
  }

  /** Runs `fn` inside the span. For functions returning promises use AsyncSpanScope.run. */
  run<T>(fn: () => T): T {
    this.begin();
    try {
      return fn();
    } finally {
      this.end();
    }
  }
}

/** A pre-interned span: create it once (e.g. at module level), then begin()/end() cost no lookup. */
export function spanScope(name: string, options: DescriptorOptions = {}): SpanScope {
  return new SpanScope(spanDescriptor(name, options, 1));
}

const byName = new Map<string, SpanScope>();

/** Runs `fn` in a thread span named `name` (interned on first use, with that call site). */
export function span<T>(name: string, fn: () => T): T {
  let scope = byName.get(name);
  if (scope === undefined) {
    scope = new SpanScope(spanDescriptor(name, {}, 1));
    byName.set(name, scope);
  }
  return scope.run(fn);
}
