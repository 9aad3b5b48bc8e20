/** Where the backend's own telemetry goes, once the roles of this process listen. */
import type { SelfTelemetryTarget } from '../config.js';
import type { RunningRole } from './role.js';

/** A listener on every interface is reached through the loopback interface. */
const WILDCARD_TO_LOOPBACK: Record<string, string> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]' };

/** The ingestion URL to send to, or undefined when self-telemetry is off. */
export function selfTelemetryUrl(target: SelfTelemetryTarget, running: readonly RunningRole[]): string | undefined {
  switch (target.kind) {
    case 'off':
      return undefined;
    case 'url':
      return target.url;
    case 'own-ingestion': {
      const ingestion = running.find((role) => role.name === 'ingestion');
      if (ingestion === undefined) return undefined;
      const url = new URL(ingestion.url);
      url.hostname = WILDCARD_TO_LOOPBACK[url.hostname] ?? url.hostname;
      return url.origin;
    }
  }
}
