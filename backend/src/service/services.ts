import type { Config } from '../config.js';
import type { Authenticator } from '../auth/authenticator.js';
import { createContext, type Provided } from './context.js';
import type { RunningRole } from './role.js';
import { roles } from './roles.js';

/** A role name `roles.ts` does not know. */
export class UnknownRoleError extends Error {
  override name = 'UnknownRoleError';
  constructor(readonly role: string) {
    super(`unknown role '${role}'; known roles: ${Object.keys(roles).join(', ')}`);
  }
}

export interface Services {
  readonly running: readonly RunningRole[];
  /** Who may call the listening roles (what start-up says about keys). */
  auth(): Promise<Authenticator>;
  /**
   * Stops every role (in reverse start order, ingestion last), shutting the self-telemetry down just
   * before ingestion stops, then closes the shared storage. Idempotent.
   */
  stop(): Promise<void>;
}

export interface StartOptions extends Provided {
  /**
   * Called before the first role starts and after each one, with the roles running so far: the
   * composition root starts self-telemetry as soon as where it goes is known.
   */
  onStarting?: (running: readonly RunningRole[]) => void;
}

/** Starts the named roles on one shared context; on a failure, stops those already started. */
export async function startServices(config: Config, roleNames: readonly string[], options: StartOptions = {}): Promise<Services> {
  for (const name of roleNames) if (!(name in roles)) throw new UnknownRoleError(name);
  const context = createContext(config, options);
  const running: RunningRole[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // The roles record self-telemetry until they stop, and this process's ingestion may be what
      // receives it: deliver it in between, or the last blocks are lost.
      const ingestion = running.find((role) => role.name === 'ingestion');
      for (const role of running.slice().reverse()) if (role !== ingestion) await role.stop().catch(() => {});
      await context.telemetry.shutdown().catch(() => {});
      await ingestion?.stop().catch(() => {});
      await context.close();
    })();
    return stopping;
  };
  try {
    options.onStarting?.(running);
    for (const name of roleNames) {
      const { role } = await roles[name]!();
      running.push(await role.start(context));
      options.onStarting?.(running);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { running, stop, auth: () => context.auth() };
}

/** Stops `services` gracefully on the first SIGINT/SIGTERM; a second one exits at once. */
export function stopOnSignals(services: Services, onStopped: () => void): void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    console.error(`micromegas: ${signal}: stopping (again to force)`);
    void services.stop().then(onStopped);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
