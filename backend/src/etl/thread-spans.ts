/**
 * thread_spans: rebuilds the call tree of one thread stream from its begin/end events.
 *
 * A span is written to the partition holding its end event. Spans still open when a partition's
 * blocks run out are carried (as data, with exact begin times) into the next partition of the
 * stream, which starts its stack from them: nesting, parents and durations come out the same
 * however the stream is cut into blocks and partitions.
 *
 * Ids are stable: 1 + the stream-wide index of the begin event (block.object_offset + position in
 * the block), so they start at 1 and 0 is never a span id.
 *
 * Depth counts from the thread, as in micromegas, whose call tree of a thread is rooted at the
 * thread itself: a top-level span has depth 1 (`WHERE depth = 1` selects the frames of a game loop)
 * and a child of a depth-d span has depth d + 1. The thread root has no row here; it is the 0 that
 * top-level spans have as `parent`.
 */
import type { Properties, SpanDescriptor } from '@micromegas/wire';
import { Float64Column, Int32Column, Uint32Column } from './columns.js';
import type { BlockCursor, Dimensions, ProcessEntry } from './dimensions.js';
import { SpanDescriptors } from './span-descriptors.js';
import { ViewBuilder } from './view-builder.js';
import type { StagedTable } from './staged.js';

/**
 * An open span handed from one partition to the next (JSON-safe). Its depth is not stored: carried
 * spans are the bottom of the next partition's stack, outermost first, so their depths (and those of
 * spans opened under them) follow from their position on it.
 */
export interface CarriedSpan {
  id: number;
  /** Exact nanoseconds since the epoch, as a decimal string. */
  begin_ns: string;
  name: string;
  target: string;
  filename: string;
  line: number;
}

interface OpenSpan {
  id: number;
  /** Block (or anchor) index and offset of the begin event. */
  anchor: number;
  offset: number;
  desc: number;
}

/** `parent` of a top-level span: the thread root, which has no row (span ids start at 1). */
export const THREAD_ROOT_ID = 0;
/** `depth` of a top-level span: the thread root would be depth 0. */
export const TOP_LEVEL_DEPTH = 1;

export class ThreadSpansBuilder extends ViewBuilder {
  readonly descs = new SpanDescriptors();
  readonly #stack: OpenSpan[] = [];
  #eventIndex = 0;
  /** End events with no open span (their begin was in a block that is missing). */
  unmatchedEnds = 0;

  readonly #id = new Float64Column();
  readonly #parent = new Float64Column();
  readonly #depth = new Uint32Column();
  readonly #desc = new Int32Column();
  readonly #beginBlock = new Int32Column();
  readonly #beginOff = new Float64Column();
  readonly #endBlock = new Int32Column();
  readonly #endOff = new Float64Column();
  protected readonly facts = [this.#id, this.#parent, this.#depth, this.#desc, this.#beginBlock, this.#beginOff, this.#endBlock, this.#endOff];

  /** `carried`: the previous partition's open spans, outermost first. */
  constructor(dims: Dimensions, process: ProcessEntry, streamId: string, carried: readonly CarriedSpan[]) {
    super(dims);
    for (const span of carried) {
      this.#stack.push({
        id: span.id,
        anchor: dims.anchor(process, streamId, BigInt(span.begin_ns)),
        offset: 0,
        desc: this.descs.id(span),
      });
    }
  }

  override beginBlock(cursor: BlockCursor): void {
    super.beginBlock(cursor);
    this.descs.newBlock();
    this.#eventIndex = 0;
  }

  /** A corrupt block must not open or close spans: the stack is put back as it was before it. */
  protected override saveState(): { stack: OpenSpan[]; unmatchedEnds: number } {
    return { stack: [...this.#stack], unmatchedEnds: this.unmatchedEnds };
  }

  protected override restoreState(state: { stack: OpenSpan[]; unmatchedEnds: number }): void {
    this.#stack.splice(0, this.#stack.length, ...state.stack);
    this.unmatchedEnds = state.unmatchedEnds;
  }

  override spanBegin(ticks: number, desc: SpanDescriptor): void {
    const cursor = this.cursor;
    this.#stack.push({ id: cursor.objectOffset + this.#eventIndex + 1, anchor: cursor.index, offset: this.offset(ticks), desc: this.descs.id(desc) });
    this.#eventIndex++;
  }

  override spanEnd(ticks: number, _desc: SpanDescriptor): void {
    this.#eventIndex++;
    const open = this.#stack.pop();
    if (open === undefined) {
      this.unmatchedEnds++;
      return;
    }
    // What remains on the stack (carried spans included) are the ancestors of the span that ends.
    const ancestors = this.#stack.length;
    this.#id.push(open.id);
    this.#parent.push(ancestors === 0 ? THREAD_ROOT_ID : this.#stack[ancestors - 1]!.id);
    this.#depth.push(TOP_LEVEL_DEPTH + ancestors);
    this.#desc.push(open.desc);
    this.#beginBlock.push(open.anchor);
    this.#beginOff.push(open.offset);
    this.#endBlock.push(this.cursor.index);
    this.#endOff.push(this.offset(ticks));
  }

  // Other events only advance the stream's object index that span ids are made of.
  override log(_t: number, _l: number, _g: string, _m: string, _p: Properties | undefined): void { this.#eventIndex++; }
  override measure(_t: number, _g: string, _n: string, _u: string, _v: number, _p: Properties | undefined): void { this.#eventIndex++; }
  override asyncBegin(): void { this.#eventIndex++; }
  override asyncEnd(): void { this.#eventIndex++; }

  get rowCount(): number {
    return this.#id.length;
  }

  /** Spans still open after the last block, for the next partition. */
  carryOut(): CarriedSpan[] {
    return this.#stack.map((open) => {
      const d = this.descs.get(open.desc);
      return { id: open.id, begin_ns: this.dims.timeNs(open.anchor, open.offset).toString(), name: d.name, target: d.target, filename: d.filename, line: d.line };
    });
  }

  stage(): StagedTable[] {
    return [
      this.descs.stage(),
      {
        name: 'mm_span_facts',
        columns: [
          { name: 'id', type: 'DOUBLE', values: this.#id.values() },
          { name: 'parent', type: 'DOUBLE', values: this.#parent.values() },
          { name: 'depth', type: 'UINTEGER', values: this.#depth.values() },
          { name: 'desc', type: 'INTEGER', values: this.#desc.values() },
          { name: 'begin_block', type: 'INTEGER', values: this.#beginBlock.values() },
          { name: 'begin_off', type: 'DOUBLE', values: this.#beginOff.values() },
          { name: 'end_block', type: 'INTEGER', values: this.#endBlock.values() },
          { name: 'end_off', type: 'DOUBLE', values: this.#endOff.values() },
        ],
      },
    ];
  }
}
