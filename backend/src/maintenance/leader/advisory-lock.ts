import { createHash } from 'node:crypto';
import pg from 'pg';
import type { LeaderElection } from './election.js';

/**
 * The advisory-lock key of a lake's scheduler. Advisory locks are database-wide, so lakes in
 * different schemas of one database (tests, several tenants) each get their own key.
 */
export function schedulerLockKey(schema: string): bigint {
  return createHash('sha256').update(`micromegas maintenance scheduler\0${schema}`).digest().readBigInt64BE(0);
}

/**
 * Leadership as a PostgreSQL session advisory lock held on a connection of its own: it lasts as long
 * as that connection, so a crashed or partitioned leader loses it as soon as the server notices, and
 * a waiting instance's next `lead()` gets it.
 */
export class AdvisoryLockElection implements LeaderElection {
  #client: pg.Client | undefined;
  #held = false;

  constructor(private readonly connectionString: string, readonly key: bigint, readonly description = `advisory lock ${key}`) {}

  async lead(): Promise<boolean> {
    try {
      if (this.#held) {
        // Still leading only while the connection holding the lock is alive.
        await this.#client!.query('SELECT 1');
        return true;
      }
      const client = await this.#connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int8) AS locked', [this.key.toString()]);
      this.#held = rows[0]?.locked === true;
      return this.#held;
    } catch (err) {
      // The connection is unusable (and any lock it held is gone): start afresh on the next call.
      await this.#disconnect();
      throw err;
    }
  }

  async release(): Promise<void> {
    // Closing the session releases its advisory locks.
    await this.#disconnect();
  }

  /** The backend pid of the lock's connection (tests kill it to simulate a crashed leader). */
  async backendPid(): Promise<number | undefined> {
    if (this.#client === undefined) return undefined;
    const { rows } = await this.#client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]?.pid;
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client !== undefined) return this.#client;
    const client = new pg.Client({ connectionString: this.connectionString });
    // A dropped connection must not crash the process: leadership is simply gone with it.
    client.on('error', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#held = false;
      client.end().catch(() => {});
    });
    await client.connect();
    this.#client = client;
    return client;
  }

  async #disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#held = false;
    await client?.end().catch(() => {});
  }
}
