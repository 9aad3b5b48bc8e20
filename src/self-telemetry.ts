/**
 * The backend's own telemetry through `@micromegas/tracing`: the port the composition root hands to
 * the services, and the SDK's start. The SDK records nothing before `init()`, so the roles hold the
 * port from the start; `init()` comes as soon as the destination is known (before any role for a
 * configured URL, right after this process's ingestion by default), so that maintenance is recorded
 * from its first tick, leadership included.
 */
import { createRequire } from 'node:module';
import * as tracing from '@micromegas/tracing';
import type { SelfTelemetryTarget } from '@micromegas/backend/config';
import type { RunningRole } from '@micromegas/backend/service/role';
import type { SelfTelemetry } from '@micromegas/backend/service/self-telemetry';
import { selfTelemetryUrl } from '@micromegas/backend/service/self-telemetry-url';

/** At stop, ingestion gets this long to take the last blocks: the SDK must not hold the stop up. */
const SHUTDOWN_TIMEOUT_MS = 2000;
/**
 * The backend's own telemetry is sealed every 10 s, not every second: under load the maintenance
 * records something each second, and one block per stream a second of it would be objects and
 * partitions of their own; a maintenance line 10 s late is no loss.
 */
const FLUSH_PERIOD_MS = 10_000;

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const sdkSelfTelemetry: SelfTelemetry = {
  metrics: tracing,
  log: (level, target, msg) => tracing[level](target, msg),
  processId: () => tracing.processId(),
  async shutdown() {
    await tracing.shutdown(SHUTDOWN_TIMEOUT_MS);
  },
};

/** Starts the SDK, as the process `micromegas` with its roles and version, once `target` resolves. */
export class SelfTelemetryStart {
  #url: string | undefined;

  /** `ownKey`: the API key this process's ingestion accepts from it (a configured URL gets $MICROMEGAS_API_KEY). */
  constructor(private readonly target: SelfTelemetryTarget, private readonly roles: readonly string[], private readonly ownKey: string) {}

  /** Where the telemetry goes; undefined until started (and for good once every role runs: off). */
  get url(): string | undefined {
    return this.#url;
  }

  /** `startServices`' `onStarting`. */
  readonly onStarting = (running: readonly RunningRole[]): void => {
    if (this.#url !== undefined) return;
    this.#url = selfTelemetryUrl(this.target, running);
    if (this.#url !== undefined) {
      const apiKey = this.target.kind === 'own-ingestion' ? { apiKey: this.ownKey } : {};
      tracing.init({ exe: 'micromegas', url: this.#url, flushPeriodMs: FLUSH_PERIOD_MS, ...apiKey, properties: { roles: this.roles.join(','), version } });
    }
  };
}
