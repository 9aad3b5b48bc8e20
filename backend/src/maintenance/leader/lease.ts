import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../../lake/metadata/store.js';
import type { LeaderElection } from './election.js';

/**
 * Leadership as a row of `maintenance_leases` with an expiry: the holder renews it on every
 * `lead()`; anyone takes it once it has expired. For PGlite, where the database is one in-process
 * connection and advisory locks cannot tell instances apart. Expiry follows the callers' clocks,
 * which must agree (they do within one host).
 */
export class LeaseElection implements LeaderElection {
  readonly description: string;

  constructor(
    private readonly db: SqlExecutor,
    readonly name = 'scheduler',
    readonly ttlSeconds = 30,
    readonly holder = randomUUID(),
  ) {
    this.description = `lease '${name}' (${ttlSeconds} s)`;
  }

  async lead(now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO maintenance_leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE maintenance_leases.holder = EXCLUDED.holder OR maintenance_leases.expires_at <= $4
       RETURNING 1`,
      [this.name, this.holder, new Date(now.getTime() + this.ttlSeconds * 1000), now]);
    return rows.length > 0;
  }

  async release(): Promise<void> {
    await this.db.query('DELETE FROM maintenance_leases WHERE name = $1 AND holder = $2', [this.name, this.holder]);
  }
}
