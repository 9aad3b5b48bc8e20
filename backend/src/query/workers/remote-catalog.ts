import type { BlockWithPayload } from '../../lake/telemetry/read.js';
import type { TimeRange } from '../engine.js';
import type { PartitionFile, PartitionRow, ThreadStream, ViewCatalog, ViewSetInfo } from '../../views/catalog.js';

/** Runs a catalog method in the server process and resolves with its answer. */
export type CatalogCall = (method: keyof ViewCatalog, args: unknown[]) => Promise<unknown>;

/**
 * The server's view catalog as a query worker sees it: every method runs in the server (which owns
 * the metadata store, the object store and materialization); the view sets are the snapshot sent
 * with the latest statement (user views can change while the server runs).
 */
export class RemoteCatalog implements ViewCatalog {
  #sets: ViewSetInfo[] = [];

  constructor(private readonly call: CatalogCall) {}

  viewSets(): ViewSetInfo[] {
    return this.#sets;
  }

  update(sets: ViewSetInfo[]): void {
    this.#sets = sets;
  }

  partitionsFor(viewSet: string, instanceId: string, range: TimeRange): Promise<PartitionFile[]> {
    return this.call('partitionsFor', [viewSet, instanceId, range]) as Promise<PartitionFile[]>;
  }

  listPartitions(): Promise<PartitionRow[]> {
    return this.call('listPartitions', []) as Promise<PartitionRow[]>;
  }

  materializePartitions(viewSet: string, begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    return this.call('materializePartitions', [viewSet, begin, end, deltaSeconds]) as Promise<number>;
  }

  retirePartitions(viewSet: string, instanceId: string, begin: Date, end: Date): Promise<number> {
    return this.call('retirePartitions', [viewSet, instanceId, begin, end]) as Promise<number>;
  }

  threadStreams(processId: string, range: TimeRange): Promise<ThreadStream[]> {
    return this.call('threadStreams', [processId, range]) as Promise<ThreadStream[]>;
  }

  readBlock(blockId: string): Promise<BlockWithPayload | undefined> {
    return this.call('readBlock', [blockId]) as Promise<BlockWithPayload | undefined>;
  }
}
