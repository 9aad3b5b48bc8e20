/**
 * Turns user view definitions into derived view sets: each one's SQL runs over its source's
 * columns (typed as in the source's schema, as queries see them), and its schema is what DuckDB
 * says that SQL yields over an empty source; its merge SQL must yield that schema's columns from an
 * empty set of the view's own rows. A bad definition fails when the catalog opens, not at its first build.
 */
import { DataType, Field, Schema } from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import { arrowTypeFor } from '../../query/arrow/types.js';
import type { MaterializedSet } from '../materialized-set.js';
import type { ParquetWriter } from '../parquet-writer.js';
import { DerivedSet, derivedSchemaHash, type DerivedSetDeps } from '../derived-set.js';
import { overSource, parquetFiles } from '../source-table.js';
import { UserViewConfigError, type UserViewDefinition } from './config.js';

/** Runs `sql` on an empty relation of `schema` and returns the result's column names and types. */
async function describeOverEmpty(connection: DuckDBConnection, schema: Schema, sql: string): Promise<{ names: string[]; types: DataType[] }> {
  const result = await connection.run(overSource(schema, parquetFiles(schema, []), sql));
  return { names: result.columnNames(), types: result.columnTypes().map(arrowTypeFor) };
}

async function describe(writer: ParquetWriter, definition: UserViewDefinition, source: MaterializedSet): Promise<Schema> {
  const fail = (field: string, reason: string, cause?: unknown) => new UserViewConfigError({ view: definition.name, field }, reason, { cause });
  return writer.withConnection(async (connection) => {
    const { names, types } = await describeOverEmpty(connection, source.info.schema, definition.sql)
      .catch((err: Error) => { throw fail('sql', err.message, err); });
    const time = names.indexOf(definition.time_column);
    if (time < 0) throw fail('time_column', `the SQL yields no column '${definition.time_column}' (it yields ${names.join(', ')})`);
    if (!DataType.isTimestamp(types[time]!)) throw fail('time_column', `'${definition.time_column}' must be a timestamp, the SQL makes it ${types[time]}`);
    const schema = new Schema(names.map((name, i) => new Field(name, types[i]!, i !== time)));
    const merged = await describeOverEmpty(connection, schema, definition.merge_sql)
      .catch((err: Error) => { throw fail('merge_sql', err.message, err); });
    const missing = names.filter((name) => !merged.names.includes(name));
    if (missing.length > 0) throw fail('merge_sql', `the merge SQL must yield the view's columns; it lacks ${missing.join(', ')}`);
    return schema;
  });
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
    const select = (paths: readonly string[]) => overSource(source.info.schema, parquetFiles(source.info.schema, paths), definition.sql, source.info.jsonColumns);
    const set = new DerivedSet({
      info: {
        name: definition.name, schema, hasGlobal: true, instanceKind: null, timeColumn: definition.time_column,
        ...(definition.time_bin_ms === undefined ? {} : { timeBinMs: definition.time_bin_ms }),
      },
      select,
      mergeSql: definition.merge_sql,
      schemaHash: derivedSchemaHash(select, definition.merge_sql),
    }, { ...deps, source });
    known.set(definition.name, set);
    built.push(set);
  }
  return built;
}
