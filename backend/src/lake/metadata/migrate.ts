import type { MetadataStore, SqlExecutor } from './store.js';
import type { Migration } from './migrations/migration.js';

/** Any process migrating any schema of the database waits on this one transaction-scoped lock. */
const MIGRATION_LOCK_KEY = 0x6d6d6967; // "mmig"

/** A migration list that cannot be applied as written (a programming error, caught at start-up). */
export class MigrationOrderError extends Error {
  override name = 'MigrationOrderError';
}

/** The schema's version is newer than this build knows: refuse rather than misread the tables. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
  constructor(readonly databaseVersion: number, readonly knownVersion: number) {
    super(`metadata schema is at version ${databaseVersion}, this build knows up to ${knownVersion}`);
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = i === 0 ? 0 : migrations[i - 1]!.version;
    if (!Number.isSafeInteger(m.version) || m.version <= previous) {
      throw new MigrationOrderError(`migration '${m.name}' has version ${m.version}, expected > ${previous}`);
    }
  });
}

async function appliedVersion(tx: SqlExecutor): Promise<number> {
  await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const [row] = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return row?.version ?? 0;
}

/**
 * Brings the schema up to the newest migration, idempotently: all pending steps run in one
 * transaction under an advisory lock, so concurrent starters apply each step exactly once and a
 * failed step leaves the schema as it was. `setup` runs first under the lock (e.g. CREATE SCHEMA).
 * Returns the versions it applied.
 */
export async function migrate(
  store: MetadataStore,
  migrations: readonly Migration[],
  setup: readonly string[] = [],
): Promise<number[]> {
  checkOrder(migrations);
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    for (const statement of setup) await tx.query(statement);
    const current = await appliedVersion(tx);
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) throw new SchemaTooNewError(current, known);
    const pending = migrations.filter((m) => m.version > current);
    for (const m of pending) {
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return pending.map((m) => m.version);
  });
}
