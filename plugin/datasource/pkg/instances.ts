// One FlightSQL connection per datasource instance, managed as grafana-plugin-sdk-go's instance
// manager does (backend/instancemgmt, backend/datasource/instance_provider.go): keyed by the numeric
// datasource id (unique across organizations; the uid is unique only within one) and the tenant,
// replaced when the datasource was saved again (lastUpdatedMS) or Grafana's plugin config changed.
// The org is part of our key too, so a request of one organization can never reach another's
// connection or API key. A replaced instance is closed once the calls still using it have ended
// (sdk-go disposes it after a grace delay for the same reason).
import type { EngineFactory, SqlEngine } from './flightsql/engine.js';
import type { Logger } from './protocol/logger.js';
import type { DatasourceSettings } from './settings.js';

interface Instance {
  key: string;
  updatedMs: number;
  grafanaConfig: Record<string, string>;
  engine: SqlEngine;
  inFlight: number;
  replaced: boolean;
  disposed: boolean;
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

export function instanceKey(settings: DatasourceSettings, tenantId: string): string {
  return `${settings.orgId}#${settings.id}#${tenantId}`;
}

export class EngineInstances {
  private readonly current = new Map<string, Instance>();
  /** Replaced instances some call still uses. */
  private readonly draining = new Set<Instance>();

  constructor(
    private readonly factory: EngineFactory,
    private readonly logger: Logger,
  ) {}

  /** Runs `work` on the engine of the request's datasource instance. */
  async with<T>(settings: DatasourceSettings, tenantId: string, work: (engine: SqlEngine) => Promise<T>): Promise<T> {
    const instance = this.get(settings, tenantId);
    instance.inFlight += 1;
    try {
      return await work(instance.engine);
    } finally {
      instance.inFlight -= 1;
      if (instance.replaced && instance.inFlight === 0) {
        this.dispose(instance);
      }
    }
  }

  /** How many connections are open (current and replaced ones still in use). */
  get size(): number {
    return this.current.size + this.draining.size;
  }

  closeAll(): void {
    for (const instance of [...this.current.values(), ...this.draining]) {
      this.dispose(instance);
    }
    this.current.clear();
  }

  private get(settings: DatasourceSettings, tenantId: string): Instance {
    const key = instanceKey(settings, tenantId);
    const cached = this.current.get(key);
    if (cached && cached.updatedMs === settings.updatedMs && sameConfig(cached.grafanaConfig, settings.grafanaConfig)) {
      return cached;
    }
    if (cached) {
      cached.replaced = true;
      if (cached.inFlight === 0) {
        this.dispose(cached);
      } else {
        this.draining.add(cached);
      }
    }
    const instance: Instance = {
      key,
      updatedMs: settings.updatedMs,
      grafanaConfig: settings.grafanaConfig,
      engine: this.factory(settings.connection),
      inFlight: 0,
      replaced: false,
      disposed: false,
    };
    this.current.set(key, instance);
    this.logger.log('debug', 'Datasource instance created', { key, uid: settings.uid, address: settings.connection.address });
    return instance;
  }

  private dispose(instance: Instance): void {
    this.draining.delete(instance);
    if (instance.disposed) {
      return;
    }
    instance.disposed = true;
    instance.engine.close();
    this.logger.log('debug', 'Datasource instance disposed', { key: instance.key });
  }
}
