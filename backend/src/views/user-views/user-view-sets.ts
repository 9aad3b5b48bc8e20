/**
 * Turns user view definitions into derived view sets: each one's SQL runs over its source's
 * columns (cast to the source's schema types, as queries see them), and its schema is what DuckDB
 * says that SQL yields over an empty source, so a bad definition fails when the catalog opens.
 */
import { createHash } from 'node:crypto';
import { DataType, Field, Schema } from 'apache-arrow';
import { arrowTypeFor } from '../../query/arrow/types.js';
import { sqlTypeOf } from '../../query/sql/arrow-to-sql-type.js';
import type { MaterializedSet } from '../materialized-set.js';
import { quoteLiteral, type ParquetWriter } from '../parquet-writer.js';
import { DerivedSet, type DerivedSetDeps } from './derived-set.js';
import { UserViewConfigError, type UserViewDefinition } from './config.js';

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** `sql` with the table `source` bound to `from` (typed like the source view's columns). */
function bindSource(source: MaterializedSet, from: string, sql: string): string {
  const columns = source.info.schema.fields.map((f) => `CAST(${quoteIdent(f.name)} AS ${sqlTypeOf(f.type)}) AS ${quoteIdent(f.name)}`);
  return `WITH source AS (SELECT ${columns.join(', ')} FROM ${from})\nSELECT * FROM (\n${sql}\n) AS user_view`;
}

async function describe(writer: ParquetWriter, definition: UserViewDefinition, source: MaterializedSet): Promise<Schema> {
  const empty = `(SELECT ${source.info.schema.fields.map((f) => `NULL AS ${quoteIdent(f.name)}`).join(', ')} WHERE false)`;
  const result = await writer.withConnection(async (connection) => {
    try {
      return await connection.run(bindSource(source, empty, definition.sql));
    } catch (err) {
      throw new UserViewConfigError({ view: definition.name, field: 'sql' }, (err as Error).message, { cause: err });
    }
  });
  const names = result.columnNames();
  const types = result.columnTypes().map(arrowTypeFor);
  const time = names.indexOf(definition.time_column);
  if (time < 0) {
    throw new UserViewConfigError({ view: definition.name, field: 'time_column' }, `the SQL yields no column '${definition.time_column}' (it yields ${names.join(', ')})`);
  }
  if (!DataType.isTimestamp(types[time]!)) {
    throw new UserViewConfigError({ view: definition.name, field: 'time_column' }, `'${definition.time_column}' must be a timestamp, the SQL makes it ${types[time]}`);
  }
  return new Schema(names.map((name, i) => new Field(name, types[i]!, i !== time)));
}

/**
 * The view sets of `definitions`, in order; a definition's source is one of `sets` or an earlier
 * definition. `deps` are the catalog's partition machinery.
 */
export async function userViewSets(
  definitions: readonly UserViewDefinition[],
  sets: ReadonlyMap<string, MaterializedSet>,
  writer: ParquetWriter,
  deps: Omit<DerivedSetDeps, 'source'>,
): Promise<MaterializedSet[]> {
  const known = new Map(sets);
  const built: MaterializedSet[] = [];
  for (const definition of definitions) {
    const fail = (field: string, reason: string) => new UserViewConfigError({ view: definition.name, field }, reason);
    if (known.has(definition.name)) throw fail('name', 'a view set of that name already exists');
    const source = known.get(definition.source);
    if (source === undefined) throw fail('source', `unknown view set (known are ${[...known.keys()].sort().join(', ')})`);
    if (!source.info.hasGlobal) throw fail('source', `${definition.source} has no global instance`);
    const schema = await describe(writer, definition, source);
    const select = (path: string) => bindSource(source, `read_parquet(${quoteLiteral(path)})`, definition.sql);
    const schemaHash = createHash('md5').update(select('')).digest('hex');
    const set = new DerivedSet(
      { name: definition.name, schema, hasGlobal: true, instanceKind: null, timeColumn: definition.time_column },
      select, schemaHash, { ...deps, source },
    );
    known.set(definition.name, set);
    built.push(set);
  }
  return built;
}
