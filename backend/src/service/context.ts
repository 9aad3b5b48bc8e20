/**
 * What every role shares: the configuration and the storage, opened on first use (a role that needs
 * no object store never opens one) and closed once, after every role has stopped.
 */
import type { Config } from '../config.js';
import type { MetadataStore } from '../lake/metadata/store.js';
import type { ObjectStore } from '../lake/object-store/store.js';
import { openMetadataStore } from '../lake/metadata/open.js';
import { openObjectStore } from '../lake/object-store/open.js';

export interface ServiceContext {
  readonly config: Config;
  metadata(): Promise<MetadataStore>;
  objects(): ObjectStore;
  /** Closes what this context opened (not what was handed to it). */
  close(): Promise<void>;
}

/** Stores opened by the caller (tests, embedding): used as they are and left open at close. */
export interface ProvidedStores {
  metadata?: MetadataStore;
  objects?: ObjectStore;
}

export function createContext(config: Config, provided: ProvidedStores = {}): ServiceContext {
  let metadata: Promise<MetadataStore> | undefined = provided.metadata && Promise.resolve(provided.metadata);
  let objects: ObjectStore | undefined = provided.objects;
  const owned: (() => Promise<void>)[] = [];

  return {
    config,
    metadata() {
      if (metadata === undefined) {
        const opening = openMetadataStore(config.lake.metadata);
        metadata = opening;
        owned.push(async () => (await opening).close());
        opening.catch(() => { if (metadata === opening) metadata = undefined; }); // let a later call retry
      }
      return metadata;
    },
    objects() {
      if (objects === undefined) {
        const store = openObjectStore(config.lake.objectStoreUri, { s3: config.lake.s3 });
        objects = store;
        owned.push(() => store.close());
      }
      return objects;
    },
    async close() {
      const closing = owned.splice(0).map((close) => close().catch(() => {}));
      await Promise.all(closing);
    },
  };
}
