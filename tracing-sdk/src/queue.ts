/**
 * What waits for delivery, by priority: metadata first, then logs, metrics, spans. Bounded in
 * bytes: when over the bound, the oldest items of the lowest non-empty priority are dropped (never
 * metadata, never the items being sent) and counted.
 */
export const enum Priority {
  Metadata = 0,
  Logs = 1,
  Metrics = 2,
  Spans = 3,
}
const LEVELS = 4;

export interface Item {
  priority: Priority;
  path: string;
  body: Uint8Array;
  /** Events in the item (0 for metadata), for drop accounting. */
  events: number;
}

export interface DropCounts {
  blocks: number;
  events: number;
  bytes: number;
}

export class DeliveryQueue {
  private readonly levels: Item[][] = Array.from({ length: LEVELS }, () => []);
  private bytes = 0;
  readonly dropped: DropCounts = { blocks: 0, events: 0, bytes: 0 };
  /** The items on the wire, so that dropping cannot pull them from under the sender. */
  readonly inFlight = new Set<Item>();

  constructor(private readonly maxBytes: number) {}

  get byteLength(): number {
    return this.bytes;
  }

  get size(): number {
    return this.levels.reduce((n, l) => n + l.length, 0);
  }

  push(item: Item): void {
    this.levels[item.priority]!.push(item);
    this.bytes += item.body.byteLength;
    this.enforceBound();
  }

  /** The next item to send, left in the queue until `remove`. */
  peek(): Item | undefined {
    for (const level of this.levels) if (level.length > 0) return level[0];
    return undefined;
  }

  /**
   * The next items to send together, left in the queue until `remove`: a metadata item alone (each
   * has its own route), else blocks by priority, up to `maxItems` and `maxBytes` (always the first).
   */
  peekBlocks(maxItems: number, maxBytes: number): Item[] {
    const first = this.peek();
    if (first === undefined || first.priority === Priority.Metadata) return first === undefined ? [] : [first];
    const items: Item[] = [];
    let bytes = 0;
    for (let p = first.priority; p < LEVELS; p++) {
      for (const item of this.levels[p]!) {
        if (items.length === maxItems || (items.length > 0 && bytes + item.body.byteLength > maxBytes)) return items;
        items.push(item);
        bytes += item.body.byteLength;
      }
    }
    return items;
  }

  remove(item: Item): void {
    const level = this.levels[item.priority]!;
    const at = level.indexOf(item);
    if (at < 0) return;
    level.splice(at, 1);
    this.bytes -= item.body.byteLength;
  }

  private enforceBound(): void {
    for (let p = LEVELS - 1; p > Priority.Metadata && this.bytes > this.maxBytes; p--) {
      const level = this.levels[p]!;
      let i = 0;
      while (i < level.length && this.bytes > this.maxBytes) {
        const item = level[i]!;
        if (this.inFlight.has(item)) {
          i++;
          continue;
        }
        level.splice(i, 1);
        this.bytes -= item.body.byteLength;
        this.dropped.blocks++;
        this.dropped.events += item.events;
        this.dropped.bytes += item.body.byteLength;
      }
    }
  }
}
