// How dashboard variables enter SQL. One convention, whatever the variable's settings:
//  - a variable is an SQL value: a string becomes a quoted literal ('it''s' escaped), a number stays a
//    number; write `process_id = $process`, never `'$process'`;
//  - several values, and "All" (without a custom all value), become a list of those literals: write
//    `name IN ($measure)`, which works for one value, several and All alike; an empty list is `NULL`,
//    so `IN ($x)` stays valid SQL and matches nothing;
//  - a custom all value is inserted by Grafana as written (no format applies), so it must be SQL that
//    fits where the variable stands; the provisioned dashboards use none;
//  - `${var:raw}` (or any explicit format) bypasses all this, for the rare unquoted use.
// `$__interval` and `$__interval_ms` are left to the backend component, which expands them for
// dashboards and alert rules alike (an SQL INTERVAL, a number of ms): Grafana's frontend would
// otherwise put its own text (`20s`) there, which is not SQL.

type Value = string | number | boolean | Array<string | number | boolean>;

const quote = (v: string | number | boolean) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

/** The format function given to Grafana's TemplateSrv.replace. */
export function formatVariableValue(value: Value): string {
  if (Array.isArray(value)) {
    return value.length === 0 ? 'NULL' : value.map(quote).join(',');
  }
  return quote(value);
}

/** Macros expanded by the backend, hidden from the frontend's interpolation by a character no variable regex matches. */
const BACKEND_MACROS = /\$(__interval_ms|__interval)\b/g;
const HIDDEN = '\u0000';

export function interpolateVariables(sql: string, replace: (sql: string, format: typeof formatVariableValue) => string): string {
  const hidden = sql.replace(BACKEND_MACROS, `${HIDDEN}$1`);
  return replace(hidden, formatVariableValue).replaceAll(`${HIDDEN}__interval`, '$__interval');
}
