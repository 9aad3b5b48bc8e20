import type { MetadataStoreOptions } from '../../lake/metadata/open.js';
import type { MetadataStore } from '../../lake/metadata/store.js';
import { AdvisoryLockElection, schedulerLockKey } from './advisory-lock.js';
import type { LeaderElection } from './election.js';
import { LeaseElection } from './lease.js';

/** The election that suits the lake's metadata database: an advisory lock on PostgreSQL, a lease on PGlite. */
export function openLeaderElection(options: MetadataStoreOptions, store: MetadataStore): LeaderElection {
  if (options.kind === 'pglite') return new LeaseElection(store);
  const schema = options.schema ?? 'public';
  const key = schedulerLockKey(schema);
  return new AdvisoryLockElection(options.connectionString, key, `advisory lock ${key} (schema ${schema})`);
}
