/**
 * Child process of maintenance-crash.test: materializes and merges a window over and over (seconds,
 * then minutes, then the hour; then retires it all and starts again) until it is killed. Prints
 * `running` once it has started.
 */
import { openMetadataStore, type MetadataStoreOptions } from '@micromegas/backend/lake/metadata/open';
import { openObjectStore } from '@micromegas/backend/lake/object-store/open';
import { openCatalog } from './lakehouse-fixtures.js';

const { metadata, objects, begin, end } = JSON.parse(process.argv[2]!) as { metadata: MetadataStoreOptions; objects: string; begin: number; end: number };
const db = await openMetadataStore(metadata);
const lake = await openCatalog({ metadata: db, objects: openObjectStore(objects) });
const window = [new Date(begin), new Date(end)] as const;
console.log('running');
for (;;) {
  for (const width of [1, 60, 3600]) await lake.catalog.materializePartitions('log_stats', ...window, width);
  for (const view of ['log_stats', 'log_entries']) await lake.catalog.retirePartitions(view, 'global', ...window);
}
