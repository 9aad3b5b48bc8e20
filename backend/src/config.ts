/**
 * The server's configuration: one typed object built from the environment, checked once at start-up
 * so a bad value fails loudly with the variable's name instead of surfacing later as a strange error.
 * Each service section owns its keys; add a section (and its parsing) here.
 */
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MetadataStoreOptions } from './lake/metadata/open.js';
import type { S3Options } from './lake/object-store/open.js';
import type { SpillOptions } from './lake/spill-dirs.js';
import type { QueryLimits } from './query/workers/worker-engine.js';
import { SCHEDULED_WINDOW_MS } from './views/scheduled-until.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface Config {
  /** Embedded database and default object store live here. */
  dataDir: string;
  /** Server log threshold: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  lake: {
    metadata: MetadataStoreOptions;
    objectStoreUri: string;
    s3: S3Options;
    /** Local directory for partitions fetched from a remote store and for scratch files. */
    cacheDir: string;
    /** Bound of that cache; least recently used files are evicted first. */
    cacheMaxBytes: number;
    /** Statements leave a global view's newest blocks to a scheduler at most this far behind (0: never); see views/scheduled-until.ts. */
    scheduledWindowMs: number;
    /**
     * Where DuckDB engines (query engine, Parquet writers) spill, each in a folder of its own
     * (`<data>/spill/<pid>-<engine>-<n>`), and the bound of each folder (DuckDB's default when unset).
     */
    spill: SpillOptions;
  };
  /** Bounds of client queries (see query/workers/worker-engine.ts), and whether aggregates may read summaries (query/rewrite/rollup.ts). */
  query: QueryLimits & { rollups: boolean };
  ingestion: ListenAddress & {
    /** Largest request body accepted; larger gets 413. */
    maxBodyBytes: number;
    /** Request bodies held at once (announced sizes); beyond, 503 and Retry-After. One body is always let in. */
    maxInFlightBytes: number;
  };
  flightsql: ListenAddress;
  gateway: ListenAddress;
  /** Where the backend sends its own telemetry (maintenance metrics and logs). */
  selfTelemetry: SelfTelemetryTarget;
  auth: {
    /** An admin key from the environment, never stored: compose and CI start with keys on. */
    adminKey: string | undefined;
    /** How long the database's keys are trusted before being read again: the delay of a revocation. */
    cacheTtlMs: number;
  };
  /** A PEM key pair: every listener (ingestion, FlightSQL, gateway) then serves TLS only. */
  tls: TlsKeyPair | undefined;
}

export interface TlsKeyPair {
  cert: Buffer;
  key: Buffer;
}

/**
 * `own-ingestion`: the ingestion role of this same process, when it runs here (off otherwise), so
 * that a plain `micromegas start` shows its own maintenance in its own lake.
 */
export type SelfTelemetryTarget = { kind: 'own-ingestion' } | { kind: 'off' } | { kind: 'url'; url: string };

/** A configuration variable with a value the server cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly variable: string, readonly value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)}: expected ${expected}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, raw, `an integer in [${min}, ${max}]`);
  }
  return value;
}

function port(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, 65535);
}

/** A size as DuckDB's memory_limit takes it: a number and a unit (KB, MB, GB, TB or KiB … TiB). */
function memorySize(env: Env, name: string, fallback: string): string {
  return optionalMemorySize(env, name) ?? fallback;
}

function optionalMemorySize(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d+)?\s*([KMGT]i?B)$/i.test(raw)) throw new ConfigError(name, raw, 'a size such as 2GB or 512MiB');
  return raw;
}

function flag(env: Env, name: string): boolean | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(name, raw, 'true or false');
}

function selfTelemetryTarget(env: Env): SelfTelemetryTarget {
  const name = 'MICROMEGAS_SELF_TELEMETRY_URL';
  const raw = text(env, name);
  if (raw === undefined) return { kind: 'own-ingestion' };
  if (raw.toLowerCase() === 'off') return { kind: 'off' };
  if (!URL.canParse(raw) || !['http:', 'https:'].includes(new URL(raw).protocol)) {
    throw new ConfigError(name, raw, 'an http(s) URL or off');
  }
  return { kind: 'url', url: raw };
}

/** A person may choose this key (it is never stored): refuse one short enough to guess. */
const MIN_ADMIN_KEY_LENGTH = 24;

function adminKey(env: Env): string | undefined {
  const name = 'MICROMEGAS_ADMIN_KEY';
  const raw = text(env, name);
  if (raw !== undefined && (raw.length < MIN_ADMIN_KEY_LENGTH || /\s/.test(raw))) {
    throw new ConfigError(name, `(${raw.length} characters)`, `at least ${MIN_ADMIN_KEY_LENGTH} characters without spaces, e.g. from \`openssl rand -base64 32\``);
  }
  return raw;
}

function pemFile(env: Env, name: string): Buffer | undefined {
  const path = text(env, name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(name, path, `a readable PEM file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function tlsKeyPair(env: Env): TlsKeyPair | undefined {
  const cert = pemFile(env, 'MICROMEGAS_TLS_CERT_FILE');
  const key = pemFile(env, 'MICROMEGAS_TLS_KEY_FILE');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    const missing = cert === undefined ? 'MICROMEGAS_TLS_CERT_FILE' : 'MICROMEGAS_TLS_KEY_FILE';
    throw new ConfigError(missing, '', 'set as well: TLS needs both the certificate and its private key');
  }
  return { cert, key };
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(text(env, 'MICROMEGAS_DATA_DIR') ?? './data');
  const connectionString = text(env, 'MICROMEGAS_SQL_CONNECTION_STRING');
  if (connectionString !== undefined && !/^postgres(ql)?:\/\//.test(connectionString)) {
    throw new ConfigError('MICROMEGAS_SQL_CONNECTION_STRING', connectionString, 'a postgres:// or postgresql:// URL');
  }
  const objectStoreUri = text(env, 'MICROMEGAS_OBJECT_STORE_URI') ?? pathToFileURL(join(dataDir, 'objects')).href;
  if (!/^(file|s3):\/\//.test(objectStoreUri)) {
    throw new ConfigError('MICROMEGAS_OBJECT_STORE_URI', objectStoreUri, 'a file:// or s3://bucket/prefix URI');
  }
  const schema = text(env, 'MICROMEGAS_SQL_SCHEMA');
  const endpoint = text(env, 'MICROMEGAS_S3_ENDPOINT') ?? text(env, 'AWS_ENDPOINT_URL_S3') ?? text(env, 'AWS_ENDPOINT_URL');
  const region = text(env, 'AWS_REGION') ?? text(env, 'AWS_DEFAULT_REGION');
  const forcePathStyle = flag(env, 'MICROMEGAS_S3_FORCE_PATH_STYLE');
  const logLevel = text(env, 'MICROMEGAS_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('MICROMEGAS_LOG_LEVEL', logLevel, LOG_LEVELS.join(', '));
  return {
    dataDir,
    logLevel,
    lake: {
      metadata: connectionString === undefined
        ? { kind: 'pglite', dataDir: join(dataDir, 'pg') }
        : { kind: 'postgres', connectionString, ...(schema === undefined ? {} : { schema }) },
      objectStoreUri,
      s3: {
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(region === undefined ? {} : { region }),
        ...(forcePathStyle === undefined ? {} : { forcePathStyle }),
      },
      cacheDir: resolve(text(env, 'MICROMEGAS_LAKE_CACHE_DIR') ?? join(dataDir, 'cache')),
      cacheMaxBytes: integer(env, 'MICROMEGAS_LAKE_CACHE_BYTES', 1024 ** 3, 1024 ** 2, Number.MAX_SAFE_INTEGER),
      scheduledWindowMs: integer(env, 'MICROMEGAS_LAKE_SCHEDULED_WINDOW_MS', SCHEDULED_WINDOW_MS, 0, 3_600_000),
      spill: { root: join(dataDir, 'spill'), maxSize: optionalMemorySize(env, 'MICROMEGAS_SPILL_MAX_SIZE') },
    },
    query: {
      memoryLimit: memorySize(env, 'MICROMEGAS_QUERY_MEMORY_LIMIT', '2GB'),
      concurrency: integer(env, 'MICROMEGAS_QUERY_CONCURRENCY', 2, 1, 256),
      maxQueue: integer(env, 'MICROMEGAS_QUERY_QUEUE', 64, 0, 100_000),
      timeoutMs: 1000 * integer(env, 'MICROMEGAS_QUERY_TIMEOUT_SECONDS', 300, 1, 7 * 24 * 3600),
      rollups: flag(env, 'MICROMEGAS_QUERY_ROLLUPS') ?? true,
    },
    ingestion: {
      host: text(env, 'MICROMEGAS_INGESTION_HOST') ?? '127.0.0.1',
      port: port(env, 'MICROMEGAS_INGESTION_PORT', 9000),
      maxBodyBytes: integer(env, 'MICROMEGAS_INGESTION_MAX_BODY_BYTES', 100 * 1024 * 1024, 1, 2 ** 31 - 1),
      maxInFlightBytes: integer(env, 'MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES', 256 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    },
    flightsql: {
      host: text(env, 'MICROMEGAS_FLIGHTSQL_HOST') ?? '127.0.0.1',
      port: port(env, 'MICROMEGAS_FLIGHTSQL_PORT', 50051),
    },
    gateway: {
      host: text(env, 'MICROMEGAS_GATEWAY_HOST') ?? '127.0.0.1',
      port: port(env, 'MICROMEGAS_GATEWAY_PORT', 8000),
    },
    selfTelemetry: selfTelemetryTarget(env),
    auth: {
      adminKey: adminKey(env),
      cacheTtlMs: 1000 * integer(env, 'MICROMEGAS_API_KEY_CACHE_SECONDS', 5, 0, 3600),
    },
    tls: tlsKeyPair(env),
  };
}
