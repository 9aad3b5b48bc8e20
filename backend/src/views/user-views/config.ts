/**
 * User-defined views: their definitions, read from a JSON file (MICROMEGAS_VIEWS_CONFIG) and checked
 * field by field, so an operator's mistake names the view and the field at startup rather than
 * surfacing as a failed partition build later. See docs/user-views.md.
 */
import { readFile } from 'node:fs/promises';
import { UNION_MERGE } from '../partition-merger.js';

export interface UserViewDefinition {
  /** The view set's name, queried like any table (`SELECT … FROM <name>`). */
  name: string;
  /** The global view set it is computed from (log_entries, measures, another user view, …). */
  source: string;
  /** DuckDB SELECT over the table `source` (one source partition's rows) giving the view's rows. */
  sql: string;
  /** Event-time column of the result that queries' time ranges filter on (default `time_bin`). */
  time_column: string;
  /**
   * Width of the bins `time_column` starts (e.g. `1 minute`), in ms; a row stands for [time, time + bin),
   * so a query keeps every bin its time range meets. Absent: rows are instants.
   */
  time_bin_ms: number | undefined;
  /**
   * DuckDB SELECT over the table `source` (this view's rows from the partitions being merged) giving the
   * merged partition's rows, e.g. summing counts per bin. Default: all the rows (`SELECT * FROM source`).
   */
  merge_sql: string;
}

export const VIEWS_CONFIG_ENV = 'MICROMEGAS_VIEWS_CONFIG';

/** A definition is unusable: says where (file, view, field) and why. */
export class UserViewConfigError extends Error {
  override name = 'UserViewConfigError';
  constructor(
    readonly where: { file?: string | undefined; view?: string | undefined; field?: string | undefined },
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    const at = [where.file, where.view && `view '${where.view}'`, where.field && `field '${where.field}'`].filter(Boolean).join(', ');
    super(`user views${at ? ` (${at})` : ''}: ${reason}`, options);
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const FIELDS = new Set(['name', 'source', 'sql', 'time_column', 'time_bin', 'merge_sql']);
const UNIT_MS: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** A fixed-width interval as DuckDB writes them: `1 minute`, `30 seconds`, `1 day`. */
const INTERVAL = /^\s*(\d+)\s*(millisecond|second|minute|hour|day)s?\s*$/i;

/** An interval's length in ms, or undefined when it is not a positive fixed-width interval. */
export function intervalMs(text: string): number | undefined {
  const match = INTERVAL.exec(text);
  const ms = match === null ? 0 : Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** Checks the parsed JSON of a config file (`file` only names it in errors). */
export function parseUserViews(json: unknown, file?: string): UserViewDefinition[] {
  if (!Array.isArray(json)) throw new UserViewConfigError({ file }, 'expected a JSON array of view definitions');
  const seen = new Set<string>();
  return json.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new UserViewConfigError({ file, view: `#${i}` }, 'expected an object {name, source, sql[, time_column, time_bin, merge_sql]}');
    }
    const fields = entry as Record<string, unknown>;
    const name = typeof fields['name'] === 'string' ? fields['name'] : `#${i}`;
    const fail = (field: string, reason: string) => new UserViewConfigError({ file, view: name, field }, reason);
    const identifier = (field: string, fallback?: string): string => {
      const value = fields[field] ?? fallback;
      if (typeof value !== 'string' || !IDENTIFIER.test(value)) throw fail(field, `expected a lower-case SQL identifier, got ${JSON.stringify(value)}`);
      return value;
    };
    const unknown = Object.keys(fields).filter((k) => !FIELDS.has(k));
    if (unknown.length > 0) throw fail(unknown[0]!, `unknown field (known are ${[...FIELDS].join(', ')})`);
    const sql = (field: string, fallback?: string): string => {
      const value = fields[field] ?? fallback;
      if (typeof value !== 'string' || value.trim() === '') throw fail(field, 'expected a non-empty SELECT over `source`');
      return value;
    };
    const timeBin = fields['time_bin'];
    const timeBinMs = timeBin === undefined ? undefined : typeof timeBin === 'string' ? intervalMs(timeBin) : undefined;
    if (timeBin !== undefined && timeBinMs === undefined) {
      throw fail('time_bin', `expected a fixed-width interval such as "1 minute" (milliseconds to days), got ${JSON.stringify(timeBin)}`);
    }
    const definition: UserViewDefinition = {
      name: identifier('name'),
      source: identifier('source'),
      sql: sql('sql'),
      time_column: identifier('time_column', 'time_bin'),
      time_bin_ms: timeBinMs,
      merge_sql: sql('merge_sql', UNION_MERGE),
    };
    if (seen.has(definition.name)) throw fail('name', 'defined twice');
    seen.add(definition.name);
    return definition;
  });
}

/** Reads and checks a config file. */
export async function loadUserViews(file: string): Promise<UserViewDefinition[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserViewConfigError({ file }, `cannot read the file: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserViewConfigError({ file }, `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseUserViews(json, file);
}

/** The definitions named by MICROMEGAS_VIEWS_CONFIG, none when it is unset. */
export async function userViewsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<UserViewDefinition[]> {
  const file = env[VIEWS_CONFIG_ENV];
  return file === undefined || file === '' ? [] : loadUserViews(file);
}
