/**
 * What waits for delivery, by priority: metadata first, then logs, metrics, spans. Bounded in
 * bytes: when over the bound, the oldest items of the lowest non-empty priority are dropped (never
 * metadata, never the item being sent) and counted.
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
  /** Set while an item is on the wire, so dropping cannot pull it from under the sender. */
  inFlight: Item | undefined;

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
        if (item === this.inFlight) {
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
