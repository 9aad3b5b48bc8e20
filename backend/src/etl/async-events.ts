/** async_events facts: one row per async span begin or end, as the SDK recorded it. */
import type { SpanDescriptor } from '@micromegas/wire';
import { Float64Column, Int32Column, Uint32Column } from './columns.js';
import type { BlockCursor } from './dimensions.js';
import { SpanDescriptors } from './span-descriptors.js';
import { ViewBuilder } from './view-builder.js';
import type { StagedTable } from './staged.js';

/** `event_type` codes in the staged facts; the view's SQL turns them into 'begin'/'end'. */
export const ASYNC_BEGIN = 0;
export const ASYNC_END = 1;

export class AsyncEventsBuilder extends ViewBuilder {
  readonly descs = new SpanDescriptors();
  readonly #block = new Int32Column();
  readonly #time = new Float64Column();
  readonly #type = new Int32Column();
  readonly #spanId = new Float64Column();
  readonly #parent = new Float64Column();
  readonly #depth = new Uint32Column();
  readonly #desc = new Int32Column();
  protected readonly facts = [this.#block, this.#time, this.#type, this.#spanId, this.#parent, this.#depth, this.#desc];

  override beginBlock(cursor: BlockCursor): void {
    super.beginBlock(cursor);
    this.descs.newBlock();
  }

  override asyncBegin(ticks: number, spanId: number, parentSpanId: number, depth: number, desc: SpanDescriptor): void {
    this.#push(ASYNC_BEGIN, ticks, spanId, parentSpanId, depth, desc);
  }

  override asyncEnd(ticks: number, spanId: number, parentSpanId: number, depth: number, desc: SpanDescriptor): void {
    this.#push(ASYNC_END, ticks, spanId, parentSpanId, depth, desc);
  }

  #push(type: number, ticks: number, spanId: number, parentSpanId: number, depth: number, desc: SpanDescriptor): void {
    this.#block.push(this.cursor.index);
    this.#time.push(this.offset(ticks));
    this.#type.push(type);
    this.#spanId.push(spanId);
    this.#parent.push(parentSpanId);
    this.#depth.push(depth);
    this.#desc.push(this.descs.id(desc));
  }

  get rowCount(): number {
    return this.#type.length;
  }

  stage(): StagedTable[] {
    return [
      this.descs.stage(),
      {
        name: 'mm_async_facts',
        columns: [
          { name: 'block', type: 'INTEGER', values: this.#block.values() },
          { name: 'time_off', type: 'DOUBLE', values: this.#time.values() },
          { name: 'event_type', type: 'INTEGER', values: this.#type.values() },
          { name: 'span_id', type: 'DOUBLE', values: this.#spanId.values() },
          { name: 'parent_span_id', type: 'DOUBLE', values: this.#parent.values() },
          { name: 'depth', type: 'UINTEGER', values: this.#depth.values() },
          { name: 'desc', type: 'INTEGER', values: this.#desc.values() },
        ],
      },
    ];
  }
}
