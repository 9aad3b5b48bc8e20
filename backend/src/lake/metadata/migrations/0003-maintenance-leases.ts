import type { Migration } from './migration.js';

/**
 * Leader election for the maintenance scheduler where PostgreSQL advisory locks are no help (PGlite,
 * or several schedulers sharing one connection): a named lease held by `holder` until `expires_at`,
 * renewed by its holder, taken over by anyone once it has expired.
 */
export const maintenanceLeases: Migration = {
  version: 3,
  name: 'maintenance leases',
  statements: [
    `CREATE TABLE maintenance_leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
  ],
};
