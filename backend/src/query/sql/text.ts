/** Building blocks for the SQL the engine generates itself (never applied to user SQL). */

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** An instant as timestamp text DuckDB casts to any timestamp type (UTC, no zone suffix). */
export function instantText(at: Date): string {
  return at.toISOString().slice(0, -1);
}

/** A literal of `sqlType` for a JS value from the catalog (null, string, number, boolean or Date). */
export function typedLiteral(value: unknown, sqlType: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${sqlType})`;
  if (value instanceof Date) return `CAST(${quoteString(instantText(value))} AS ${sqlType})`;
  if (typeof value === 'number' || typeof value === 'bigint') return `CAST(${value} AS ${sqlType})`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `CAST(${quoteString(String(value))} AS ${sqlType})`;
}

export interface Column {
  name: string;
  sqlType: string;
}

/**
 * A relation with exactly these columns and rows (VALUES), or with no rows but the same column
 * types when `rows` is empty: what the catalog's answers and schema-only planning scan.
 */
export function relationSql(columns: readonly Column[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) {
    const nulls = columns.map((c) => `CAST(NULL AS ${c.sqlType}) AS ${quoteIdent(c.name)}`);
    return `SELECT ${nulls.join(', ')} WHERE false`;
  }
  const values = rows.map((row) => `(${columns.map((c, i) => typedLiteral(row[i], c.sqlType)).join(', ')})`);
  return `SELECT * FROM (VALUES ${values.join(', ')}) AS v(${columns.map((c) => quoteIdent(c.name)).join(', ')})`;
}
