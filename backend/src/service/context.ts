/**
 * What every role shares: the configuration, the storage and the query engine, each opened on first
 * use (a role that needs no object store never opens one) and closed once, after every role has
 * stopped, in reverse order of opening (the engine before the stores it reads); and the port of the
 * backend's own telemetry.
 */
import type { Config } from '../config.js';
import type { MetadataStore } from '../lake/metadata/store.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { openMetadataStore } from '../lake/metadata/open.js';
import { openObjectStore } from '../lake/object-store/open.js';
import { openLakehouse, type Lakehouse } from '../query/lakehouse.js';
import { openAuthenticator, type Authenticator, type ProcessKey } from '../auth/authenticator.js';
import { ApiKeyStore } from '../auth/key-store.js';
import { noSelfTelemetry, type SelfTelemetry } from './self-telemetry.js';
import { reportSkippedBlocks, type SkippedBlock } from '../etl/skipped-blocks.js';

export interface ServiceContext {
  readonly config: Config;
  /** Where roles record what they do (records nothing unless the composition root gave one). */
  readonly telemetry: SelfTelemetry;
  /** Reports corrupt blocks that view builds skip, once per block for every catalog of the process. */
  readonly skippedBlocks: (skip: SkippedBlock) => void;
  metadata(): Promise<MetadataStore>;
  objects(): ObjectStore;
  /** The view catalog and query engine over this context's stores (FlightSQL and the gateway share it). */
  lakehouse(): Promise<Lakehouse>;
  /** Who may call the listening roles: the API keys, read once at first use (see auth/authenticator.ts). */
  auth(): Promise<Authenticator>;
  /** Closes what this context opened (not what was handed to it). */
  close(): Promise<void>;
}

/**
 * What the caller (tests, embedding, the composition root) hands in, which the context uses as it is
 * and never closes (the services shut the telemetry down: see ./services.ts).
 */
export interface Provided {
  metadata?: MetadataStore;
  objects?: ObjectStore;
  telemetry?: SelfTelemetry;
  /** Keys valid in this process only, whatever the database holds (the backend's own telemetry key). */
  processKeys?: readonly ProcessKey[];
}

export function createContext(config: Config, provided: Provided = {}): ServiceContext {
  let metadata: Promise<MetadataStore> | undefined = provided.metadata && Promise.resolve(provided.metadata);
  let objects: ObjectStore | undefined = provided.objects;
  let lakehouse: Promise<Lakehouse> | undefined;
  let auth: Promise<Authenticator> | undefined;
  const owned: (() => Promise<void>)[] = [];

  /** Opens once; a failed opening is forgotten so that a later call retries. */
  function once<T extends { close(): Promise<void> }>(current: Promise<T> | undefined, open: () => Promise<T>,
    keep: (value: Promise<T> | undefined) => void): Promise<T> {
    if (current !== undefined) return current;
    const opening = open();
    keep(opening);
    owned.push(async () => (await opening).close());
    opening.catch(() => keep(undefined));
    return opening;
  }

  const telemetry = provided.telemetry ?? noSelfTelemetry;
  const printsWarnings = ['warn', 'info', 'debug', 'trace'].includes(config.logLevel);
  return {
    config,
    telemetry,
    skippedBlocks: reportSkippedBlocks(telemetry, (line) => { if (printsWarnings) console.error(line); }),
    metadata() {
      return once(metadata, () => openMetadataStore(config.lake.metadata), (value) => { metadata = value; });
    },
    objects() {
      if (objects === undefined) {
        const store = openObjectStore(config.lake.objectStoreUri, { s3: config.lake.s3 });
        objects = store;
        owned.push(() => store.close());
      }
      return objects;
    },
    lakehouse() {
      return once(lakehouse, async () => {
        // Both stores are registered before the engine reading them, so close() stops the engine first.
        const objects = this.objects();
        const store = await this.metadata();
        return openLakehouse({
          metadata: store, objects, cacheDir: config.lake.cacheDir, maxCacheBytes: config.lake.cacheMaxBytes, spill: config.lake.spill,
          scheduledWindowMs: config.lake.scheduledWindowMs,
          limits: config.query, engine: { rollups: config.query.rollups }, onSkippedBlock: this.skippedBlocks,
        });
      }, (value) => { lakehouse = value; });
    },
    auth() {
      if (auth === undefined) {
        const opening = this.metadata().then((store) => openAuthenticator(new ApiKeyStore(store), {
          adminKey: config.auth.adminKey, processKeys: provided.processKeys ?? [], cacheTtlMs: config.auth.cacheTtlMs,
        }));
        auth = opening;
        opening.catch(() => { auth = undefined; });
      }
      return auth;
    },
    async close() {
      for (const close of owned.splice(0).reverse()) await close().catch(() => {});
    },
  };
}
