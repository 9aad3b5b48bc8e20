/**
 * User-defined views: their definitions, read from a JSON file (MICROMEGAS_VIEWS_CONFIG) and checked
 * field by field, so an operator's mistake names the view and the field at startup rather than
 * surfacing as a failed partition build later. See docs/user-views.md.
 */
import { readFile } from 'node:fs/promises';

export interface UserViewDefinition {
  /** The view set's name, queried like any table (`SELECT … FROM <name>`). */
  name: string;
  /** The global view set it is computed from (log_entries, measures, another user view, …). */
  source: string;
  /** DuckDB SELECT over the table `source` (one source partition's rows) giving the view's rows. */
  sql: string;
  /** Event-time column of the result that queries' time ranges filter on (default `time_bin`). */
  time_column: string;
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
const FIELDS = new Set(['name', 'source', 'sql', 'time_column']);

/** Checks the parsed JSON of a config file (`file` only names it in errors). */
export function parseUserViews(json: unknown, file?: string): UserViewDefinition[] {
  if (!Array.isArray(json)) throw new UserViewConfigError({ file }, 'expected a JSON array of view definitions');
  const seen = new Set<string>();
  return json.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new UserViewConfigError({ file, view: `#${i}` }, 'expected an object {name, source, sql[, time_column]}');
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
    const definition: UserViewDefinition = {
      name: identifier('name'),
      source: identifier('source'),
      sql: typeof fields['sql'] === 'string' && fields['sql'].trim() !== '' ? fields['sql'] : '',
      time_column: identifier('time_column', 'time_bin'),
    };
    if (definition.sql === '') throw fail('sql', 'expected a non-empty SELECT over `source`');
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
