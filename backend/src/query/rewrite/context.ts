import type { DuckDBConnection } from '@duckdb/node-api';
import type { Schema } from 'apache-arrow';
import type { TimeRange } from '../engine.js';
import type { ColumnHints } from '../arrow/column-hints.js';
import type { ParseCache } from '../sql/parse-cache.js';
import type { FunctionKinds } from './function-kinds.js';
import type { ViewCatalog, ViewSetInfo } from '../../views/catalog.js';

/** What resolving a query's sources needs: one per query being planned. */
export interface SourceContext {
  connection: DuckDBConnection;
  catalog: ViewCatalog;
  viewSets: ReadonlyMap<string, ViewSetInfo>;
  range: TimeRange;
  /**
   * Planning only (schema()): sources become empty relations of the right types, so nothing is
   * materialized, scanned, or changed by an admin function.
   */
  planOnly: boolean;
  allowAdmin: boolean;
  /** Filled while resolving: the declared types of the view columns read (see arrowSchema). */
  columnHints: ColumnHints;
  /** Engine-wide cache of generated SQL shapes. */
  parseCache: ParseCache;
  /** Whether aggregates over a summarized view set may read its summary (./rollup.ts). */
  rollups: boolean;
  /** Engine-wide: what DuckDB's function names are (aggregate, deterministic scalar, other). */
  functionKinds: FunctionKinds;
  /** The Arrow schema `sql` would produce (DESCRIBE of an arbitrary query). */
  schemaOf(sql: string): Promise<Schema>;
}
