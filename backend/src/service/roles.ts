import type { Role } from './role.js';

/**
 * Every role `micromegas start --roles` knows. To add one: export `role` from its module and add a
 * line here. Loaded lazily so a process pays only for the roles it runs.
 */
export const roles: Record<string, () => Promise<{ role: Role }>> = {
  ingestion: () => import('../ingestion/role.js'),
  maintenance: () => import('../maintenance/role.js'),
  flightsql: () => import('../flightsql/role.js'),
  gateway: () => import('../gateway/role.js'),
};
