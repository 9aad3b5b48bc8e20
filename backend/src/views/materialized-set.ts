import type { TimeRange } from '../query/engine.js';
import type { ViewSetInfo } from './catalog.js';

/** What the catalog needs of each kind of view set (block-sourced, metadata, derived). */
export interface MaterializedSet {
  readonly info: ViewSetInfo;
  /** Brings the instance's partitions up to date for `range` (JIT). */
  refresh(instanceId: string, range: TimeRange): Promise<void>;
  /** Builds or refreshes the global instance's partitions of `deltaSeconds` over an insert range. */
  materialize(begin: Date, end: Date, deltaSeconds: number): Promise<number>;
}
