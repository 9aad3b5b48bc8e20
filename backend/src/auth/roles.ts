/**
 * What an API key may do. `admin` implies the other two; `ingest` and `query` are separate: an
 * ingest key sits in every instrumented app's environment, so a leaked one must not read the lake,
 * and a dashboard's query key must not be able to write telemetry into it.
 */
export type KeyRole = 'ingest' | 'query' | 'admin';

export const KEY_ROLES: readonly KeyRole[] = ['ingest', 'query', 'admin'];

export function isKeyRole(value: string): value is KeyRole {
  return (KEY_ROLES as readonly string[]).includes(value);
}

/** Whether a key with role `held` may do what needs `needed`. */
export function grants(held: KeyRole, needed: KeyRole): boolean {
  return held === needed || held === 'admin';
}
