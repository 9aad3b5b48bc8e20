/**
 * Async spans: span_id, parent_span_id and depth follow the logical call chain across `await`
 * through AsyncLocalStorage. Events go to the `cpu` stream of the thread that records them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { threadId } from 'node:worker_threads';
import type { SpanDescriptor } from '@micromegas/wire';
import { ASYNC_BEGIN, ASYNC_END } from './event-buffer.js';
import { active } from './state.js';
import { spanDescriptor, type DescriptorOptions } from './descriptors.js';
import { spanId } from './registry.js';

interface AsyncSpanContext {
  readonly id: number;
  readonly depth: number;
}

const context = new AsyncLocalStorage<AsyncSpanContext>();
/** Ids are unique per process: the thread id in the high bits keeps workers apart. */
const idBase = threadId * 2 ** 32;
let counter = 0;

/** The innermost async span around the caller: its id, or 0 outside any. */
export function currentAsyncSpanId(): number {
  return context.getStore()?.id ?? 0;
}

export class AsyncSpanScope {
  private readonly descId: number;

  constructor(readonly desc: SpanDescriptor) {
    this.descId = spanId(desc);
  }

  /** Runs `fn` as a child of the caller's async span; the span ends when its promise settles. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const parent = context.getStore();
    const id = idBase + ++counter;
    const parentId = parent?.id ?? 0;
    const depth = parent === undefined ? 0 : parent.depth + 1;
    active.cpu?.asyncSpan(ASYNC_BEGIN, this.descId, id, parentId, depth);
    try {
      return await context.run({ id, depth }, fn);
    } finally {
      active.cpu?.asyncSpan(ASYNC_END, this.descId, id, parentId, depth);
    }
  }
}

export function asyncSpanScope(name: string, options: DescriptorOptions = {}): AsyncSpanScope {
  return new AsyncSpanScope(spanDescriptor(name, options, 1));
}

const byName = new Map<string, AsyncSpanScope>();

/** Runs async `fn` in an async span named `name` (interned on first use, with that call site). */
export function asyncSpan<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  let scope = byName.get(name);
  if (scope === undefined) {
    scope = new AsyncSpanScope(spanDescriptor(name, {}, 1));
    byName.set(name, scope);
  }
  return scope.run(fn);
}
