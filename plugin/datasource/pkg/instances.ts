// One FlightSQL connection per datasource instance, replaced when its settings change
// (the role grafana-plugin-sdk-go's instancemgmt plays).
import type { EngineFactory, SqlEngine } from './flightsql/engine.js';
import type { DatasourceSettings } from './settings.js';

export class EngineInstances {
  private readonly byUid = new Map<string, { updatedMs: number; engine: SqlEngine }>();

  constructor(private readonly factory: EngineFactory) {}

  get(settings: DatasourceSettings): SqlEngine {
    const cached = this.byUid.get(settings.uid);
    if (cached && cached.updatedMs === settings.updatedMs) {
      return cached.engine;
    }
    cached?.engine.close();
    const engine = this.factory(settings.connection);
    this.byUid.set(settings.uid, { updatedMs: settings.updatedMs, engine });
    return engine;
  }

  closeAll(): void {
    for (const { engine } of this.byUid.values()) {
      engine.close();
    }
    this.byUid.clear();
  }
}
