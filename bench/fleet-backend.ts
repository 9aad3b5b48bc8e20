/**
 * `micromegas start` (every role) as a child process of the fleet benchmark, with what it costs as
 * /proc shows it: CPU time of the child and its query workers plus, on PostgreSQL, of the backends serving it (found by
 * application_name), RSS, and the objects it wrote (files under the lake's file:// store).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { TEST_POSTGRES_URL } from '@micromegas/backend/lake/metadata/test-stores';
import { libuvPoolThreads, processCpuSeconds, rssBytes, treeCpuBreakdown } from './proc-stats.js';

const START_TIMEOUT_MS = 120_000;

export type MetadataKind = 'pglite' | 'postgres';

/** Files under `dir`, recursively (the object store's temp directory excluded). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && !e.parentPath.includes('/.tmp')).map((e) => join(e.parentPath, e.name));
}

export interface Backend {
  pid: number;
  ingestionUrl: string;
  flightsqlPort: number;
  objectsDir: string;
  /** Its PostgreSQL connection string and schema (undefined on PGlite). */
  postgres: { connectionString: string; schema: string } | undefined;
  /** CPU seconds so far: the child's process tree and, on PostgreSQL, its database backends ('postgres'), by category (see treeCpuBreakdown). */
  cpuSeconds(): Promise<Map<string, number>>;
  rssBytes(): Promise<number>;
  /** Stops the backend and drops its schema. */
  stop(): Promise<void>;
  /** Stops the backend, leaving its lake (data directory, schema) to the caller. */
  halt(): Promise<void>;
}

export interface BackendOptions {
  cli: string;
  metadata: MetadataKind;
  dataDir: string;
  /** Directory for a V8 CPU profile of the backend (written when it stops). */
  cpuProfDir?: string;
  /** Roles to run (default: all). */
  roles?: readonly string[];
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const schema = `fleet_${randomBytes(4).toString('hex')}`;
  const application = `micromegas-${schema}`;
  const admin = options.metadata === 'postgres' ? new pg.Client({ connectionString: TEST_POSTGRES_URL }) : undefined;
  await admin?.connect();
  const env: Record<string, string> = {
    MICROMEGAS_DATA_DIR: options.dataDir, MICROMEGAS_LOG_LEVEL: 'warn',
    MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0',
    ...(admin ? { MICROMEGAS_SQL_CONNECTION_STRING: `${TEST_POSTGRES_URL}?application_name=${application}`, MICROMEGAS_SQL_SCHEMA: schema } : {}),
  };
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const roles = options.roles === undefined ? [] : ['--roles', options.roles.join(',')];
  const child = spawn(process.execPath, [...profile, options.cli, 'start', ...roles], { cwd: options.dataDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await addresses(child, options.roles === undefined || options.roles.includes('flightsql'));
  const libuvPool = await libuvPoolThreads(child.pid!);
  const dbPids = async () => admin === undefined ? [] : (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [application])).rows.map((r) => r.pid);
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: child.pid!,
    ...urls,
    objectsDir: join(options.dataDir, 'objects'),
    postgres: admin ? { connectionString: TEST_POSTGRES_URL, schema } : undefined,
    async cpuSeconds() {
      // The whole tree: query workers are child processes of the backend.
      const db = await Promise.all((await dbPids()).map(processCpuSeconds));
      const breakdown = await treeCpuBreakdown(child.pid!, libuvPool);
      if (admin) breakdown.set('postgres', db.reduce((a, b) => a + b, 0));
      return breakdown;
    },
    rssBytes: () => rssBytes(child.pid!),
    halt,
    async stop() {
      await halt();
      if (admin) {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    },
  };
}

/** Reads the child's start-up lines until the last one (self-telemetry) says it is ready; the FlightSQL port is 0 when `flightsql` is false. */
function addresses(child: ChildProcess, flightsql: boolean): Promise<{ ingestionUrl: string; flightsqlPort: number }> {
  return new Promise((resolve, reject) => {
    let ingestionUrl: string | undefined;
    let flightsqlPort: number | undefined = flightsql ? undefined : 0;
    const timer = setTimeout(() => reject(new Error('micromegas start: no ready line in time')), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`micromegas start exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      ingestionUrl ??= /ingestion\s+listening on (http:\/\/\S+)/.exec(line)?.[1];
      const port = /flightsql\s+listening on grpc:\/\/[^:]+:(\d+)/.exec(line)?.[1];
      if (port) flightsqlPort = Number(port);
      if (line.includes('self-telemetry') && ingestionUrl && flightsqlPort !== undefined) {
        clearTimeout(timer);
        resolve({ ingestionUrl, flightsqlPort });
      }
    });
  });
}
