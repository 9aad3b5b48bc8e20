/**
 * Base of the per-view column builders: a wire EventVisitor that ignores every event kind until a
 * subclass overrides it, and knows the block being decoded. OTLP blocks arrive through the `…At`
 * and `otelSpan` hooks, with exact nanosecond offsets from the block's base instead of ticks.
 */
import { readBlockEvents, type EventVisitor, type Properties, type SpanDescriptor } from '@micromegas/wire';
import type { StoredPayload } from '../lake/telemetry/payload.js';
import type { BlockCursor, Dimensions, EventProperties } from './dimensions.js';
import type { StagedTable } from './staged.js';
import { visitOtlpPayload, type OtelSpanRow } from './otlp/visit.js';

export abstract class ViewBuilder implements EventVisitor {
  #cursor: BlockCursor | undefined;

  constructor(readonly dims: Dimensions) {}

  /** Events visited next belong to this block. */
  beginBlock(cursor: BlockCursor): void {
    this.#cursor = cursor;
  }

  /** Decodes one block's payload into this builder; returns its number of events. */
  visitBlock(cursor: BlockCursor, stored: StoredPayload, blockId: string): number {
    this.beginBlock(cursor);
    if (stored.kind === 'otlp') return visitOtlpPayload(stored, cursor, this, blockId);
    return readBlockEvents(stored.payload, this, { block_id: blockId });
  }

  protected get cursor(): BlockCursor {
    if (this.#cursor === undefined) throw new Error('event visited before beginBlock()');
    return this.#cursor;
  }

  /** Nanoseconds from the current block's base to `ticks`. */
  protected offset(ticks: number): number {
    const cursor = this.cursor;
    return cursor.process.clock.offsetNs(cursor.clock, ticks);
  }

  /** The fact tables of this view (the shared dimensions are staged by Dimensions). */
  abstract stage(): StagedTable[];

  /** Rows produced so far. */
  abstract get rowCount(): number;

  log(_ticks: number, _level: number, _target: string, _msg: string, _properties: Properties | undefined): void {}
  measure(_ticks: number, _target: string, _name: string, _unit: string, _value: number, _properties: Properties | undefined): void {}
  spanBegin(_ticks: number, _desc: SpanDescriptor): void {}
  spanEnd(_ticks: number, _desc: SpanDescriptor): void {}
  asyncBegin(_ticks: number, _spanId: number, _parentSpanId: number, _depth: number, _desc: SpanDescriptor): void {}
  asyncEnd(_ticks: number, _spanId: number, _parentSpanId: number, _depth: number, _desc: SpanDescriptor): void {}
  /** A log at `offsetNs` from the current block's base. */
  logAt(_offsetNs: number, _level: number, _target: string, _msg: string, _properties: EventProperties | undefined): void {}
  measureAt(_offsetNs: number, _target: string, _name: string, _unit: string, _value: number, _properties: EventProperties | undefined): void {}
  otelSpan(_span: OtelSpanRow): void {}
}
