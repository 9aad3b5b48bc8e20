/**
 * Who is calling, from the `authorization: Bearer <key>` header, and whether their key's role allows
 * what they ask. Live keys are read from the database as a whole and kept for `cacheTtlMs`: a
 * request costs a SHA-256 and a map lookup, never a database query (an unknown key, however many
 * are tried, never reaches the database either), and a revoked key stops working within the TTL.
 */
import { hashApiKey } from './api-key.js';
import type { ApiKeyStore, LiveApiKey } from './key-store.js';
import { grants, type KeyRole } from './roles.js';

export interface Caller {
  /** The key's id (or where it comes from, for keys not in the database). */
  keyId: string;
  name: string;
  role: KeyRole;
}

/** Everyone, when no key is configured: the server then listens on loopback only (service/exposure.ts). */
export const ANONYMOUS: Caller = { keyId: '', name: 'anonymous', role: 'admin' };

export type AuthFailure = 'unauthenticated' | 'permission_denied' | 'unavailable';

/** A refused caller: `code` maps to 401/403/503 on HTTP and UNAUTHENTICATED/PERMISSION_DENIED/UNAVAILABLE on gRPC. */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(readonly code: AuthFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A key valid in this process only, never stored: MICROMEGAS_ADMIN_KEY, the backend's own telemetry key. */
export interface ProcessKey {
  key: string;
  name: string;
  role: KeyRole;
}

export interface AuthenticatorOptions {
  /** Whether callers must present a key; when false every caller is ANONYMOUS. */
  required: boolean;
  processKeys?: readonly ProcessKey[];
  /** Reads the live keys of the database; absent, only the process keys exist. */
  load?: () => Promise<LiveApiKey[]>;
  /** The first load, if already done. */
  loaded?: LiveApiKey[];
  cacheTtlMs: number;
  /** What start-up prints about authentication. */
  description?: string;
  now?: () => number;
}

const BEARER = /^Bearer +(\S+) *$/i;

export class Authenticator {
  readonly required: boolean;
  readonly description: string;
  private readonly processKeys: ReadonlyMap<string, Caller>;
  private keys: ReadonlyMap<string, Caller> = new Map();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.required = options.required;
    this.description = options.description ?? (options.required ? 'API keys required' : 'no API key required');
    this.now = options.now ?? Date.now;
    this.processKeys = new Map((options.processKeys ?? []).map((k) => [hashApiKey(k.key), { keyId: `process:${k.name}`, name: k.name, role: k.role }]));
    if (options.loaded) this.keep(options.loaded);
  }

  /** The caller behind `authorization`, allowed to do what needs `needed`; throws AuthError otherwise. */
  async authenticate(authorization: string | undefined, needed: KeyRole): Promise<Caller> {
    if (!this.required) return ANONYMOUS;
    if (authorization === undefined || authorization === '') {
      throw new AuthError('unauthenticated', `missing API key: send the header 'authorization: Bearer <key>' with a key of the ${needed} role`);
    }
    const key = BEARER.exec(authorization)?.[1];
    if (key === undefined) throw new AuthError('unauthenticated', `malformed authorization header: expected 'Bearer <key>'`);
    const hash = hashApiKey(key);
    const caller = this.processKeys.get(hash) ?? (await this.current()).get(hash);
    if (caller === undefined) throw new AuthError('unauthenticated', 'invalid API key: unknown or revoked');
    if (!grants(caller.role, needed)) {
      throw new AuthError('permission_denied', `API key '${caller.name}' has the ${caller.role} role; this needs ${needed} (or admin)`);
    }
    return caller;
  }

  private async current(): Promise<ReadonlyMap<string, Caller>> {
    const { load, cacheTtlMs } = this.options;
    if (load !== undefined && this.now() - this.loadedAt >= cacheTtlMs) {
      this.loading ??= load().then((keys) => this.keep(keys)).finally(() => { this.loading = undefined; });
      try {
        await this.loading;
      } catch (err) {
        throw new AuthError('unavailable', `API keys could not be read: ${(err as Error).message}`, { cause: err });
      }
    }
    return this.keys;
  }

  private keep(keys: readonly LiveApiKey[]): void {
    this.keys = new Map(keys.map((k) => [k.hash, { keyId: k.id, name: k.name, role: k.role }]));
    this.loadedAt = this.now();
  }
}

export interface OpenAuthOptions {
  /** MICROMEGAS_ADMIN_KEY. */
  adminKey?: string | undefined;
  /** Keys of this process beyond the admin key (the backend's own telemetry). */
  processKeys?: readonly ProcessKey[];
  cacheTtlMs: number;
}

/**
 * Keys are required when the database has a live key or MICROMEGAS_ADMIN_KEY is set, decided once,
 * here, at start: revoking every key later locks callers out instead of opening the server, and a
 * server started without keys (on loopback) stays open until restarted.
 */
export async function openAuthenticator(store: ApiKeyStore, options: OpenAuthOptions): Promise<Authenticator> {
  const loaded = await store.live();
  const adminKeys: ProcessKey[] = options.adminKey === undefined ? [] : [{ key: options.adminKey, name: 'MICROMEGAS_ADMIN_KEY', role: 'admin' }];
  const required = loaded.length > 0 || adminKeys.length > 0;
  const sources = [`${loaded.length} live key${loaded.length === 1 ? '' : 's'} in the database`, ...adminKeys.map(() => 'MICROMEGAS_ADMIN_KEY set')];
  return new Authenticator({
    required,
    description: required
      ? `API keys required (${sources.join(', ')})`
      : 'no API key configured: authentication off, listening on loopback only (create one: micromegas keys create --role admin)',
    processKeys: [...adminKeys, ...(options.processKeys ?? [])],
    load: () => store.live(),
    loaded,
    cacheTtlMs: options.cacheTtlMs,
  });
}
