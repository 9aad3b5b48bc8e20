import type { Fixture } from './fixture.js';

/** Rows of `sql` as plain JS values (lists as arrays, structs as objects, numbers kept as Arrow gives them). */
export async function plainRows(fx: Fixture, sql: string): Promise<Record<string, unknown>[]> {
  return (await fx.run(sql)).table.toArray().map((row) => plain(row) as Record<string, unknown>);
}

export function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toArray?: unknown }).toArray === 'function' && Symbol.iterator in value) {
    return [...(value as Iterable<unknown>)].map(plain);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return Object.fromEntries(Object.entries((value as { toJSON(): object }).toJSON()).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
