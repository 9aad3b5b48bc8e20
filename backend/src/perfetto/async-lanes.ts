/**
 * Async spans overlap without nesting, but a Perfetto track's slices must nest (an end event closes
 * the track's innermost open slice). So async spans are laid out on lanes, one track each: a span
 * goes on its parent's lane when it nests there (the parent is the lane's innermost open span and
 * outlives it), else on the first lane with nothing open, else on a new lane. A slice then sits
 * inside another only when it is that span's child.
 */

export interface LaneSpan {
  id: bigint;
  parent: bigint;
  beginNs: bigint;
  endNs: bigint;
}

export interface LaneEvents {
  /** Ends the innermost open span of `lane` at `endNs`. */
  end(lane: number, endNs: bigint): void;
}

interface Open {
  id: bigint;
  endNs: bigint;
}

export class AsyncLanes {
  readonly #lanes: Open[][] = [];
  readonly #laneOf = new Map<bigint, number>();

  constructor(private readonly events: LaneEvents) {}

  get laneCount(): number {
    return this.#lanes.length;
  }

  /**
   * The lane of `span`. Spans come by begin time (parents before children beginning with them);
   * lanes end what finished by then, reporting each end.
   */
  place(span: LaneSpan): number {
    const parentLane = this.#laneOf.get(span.parent);
    if (parentLane !== undefined) {
      const stack = this.#closeEnded(parentLane, span);
      const top = stack.at(-1);
      if (top !== undefined && top.id === span.parent && top.endNs >= span.endNs) return this.#open(parentLane, span);
    }
    for (let lane = 0; lane < this.#lanes.length; lane++) {
      if (this.#closeEnded(lane, span).length === 0) return this.#open(lane, span);
    }
    this.#lanes.push([]);
    return this.#open(this.#lanes.length - 1, span);
  }

  /** Ends every span still open, innermost first. */
  closeAll(): void {
    this.#lanes.forEach((stack, lane) => {
      for (let open = stack.pop(); open !== undefined; open = stack.pop()) this.#ended(lane, open);
    });
  }

  /** Ends the spans of `lane` that finished before `span` begins (or as it begins, unless it is their child). */
  #closeEnded(lane: number, span: LaneSpan): Open[] {
    const stack = this.#lanes[lane]!;
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const finished = top.endNs < span.beginNs || (top.endNs === span.beginNs && top.id !== span.parent);
      if (!finished) break;
      stack.pop();
      this.#ended(lane, top);
    }
    return stack;
  }

  #open(lane: number, span: LaneSpan): number {
    this.#lanes[lane]!.push({ id: span.id, endNs: span.endNs });
    this.#laneOf.set(span.id, lane);
    return lane;
  }

  #ended(lane: number, open: Open): void {
    this.#laneOf.delete(open.id);
    this.events.end(lane, open.endNs);
  }
}
