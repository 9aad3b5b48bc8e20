import { QueryError } from '../engine.js';
import type { SourceContext } from '../rewrite/context.js';
import { viewScan } from '../rewrite/view-scan.js';
import type { Statement } from '../sql/parser.js';
import { relationSql, type Column } from '../sql/text.js';
import { describeType } from '../describe/type-names.js';

/** How an argument is evaluated: as text, as an instant, or as a number. */
export type ParamKind = 'text' | 'time' | 'number';
export type ArgValue = string | Date | number;

/** A table function of the micromegas dialect: arguments in, a relation (as SQL or parsed) out. */
export interface TableFunction {
  params: readonly { name: string; kind: ParamKind }[];
  /** Admin functions change the lake: refused unless the engine allows them. */
  admin?: boolean;
  sql(args: ArgValue[], context: SourceContext): Promise<string | Statement>;
}

/** Microsecond timestamps: the catalog's open-ended bounds (year 9999) do not fit nanoseconds until they reach Arrow. */
const PARTITION_COLUMNS: Column[] = [
  { name: 'view_set_name', sqlType: 'VARCHAR' },
  { name: 'view_instance_id', sqlType: 'VARCHAR' },
  { name: 'begin_insert_time', sqlType: 'TIMESTAMP' },
  { name: 'end_insert_time', sqlType: 'TIMESTAMP' },
  { name: 'min_event_time', sqlType: 'TIMESTAMP' },
  { name: 'max_event_time', sqlType: 'TIMESTAMP' },
  { name: 'updated', sqlType: 'TIMESTAMP' },
  { name: 'file_path', sqlType: 'VARCHAR' },
  { name: 'file_size', sqlType: 'BIGINT' },
  { name: 'file_schema_hash', sqlType: 'VARCHAR' },
  { name: 'source_data_hash', sqlType: 'VARCHAR' },
  { name: 'num_rows', sqlType: 'BIGINT' },
];

const VIEW_SET_COLUMNS: Column[] = [
  { name: 'view_set_name', sqlType: 'VARCHAR' },
  { name: 'has_global_instance', sqlType: 'BOOLEAN' },
  { name: 'instance_kind', sqlType: 'VARCHAR' },
  { name: 'time_column', sqlType: 'VARCHAR' },
  { name: 'schema', sqlType: 'VARCHAR' },
];

const text = (name: string) => ({ name, kind: 'text' as const });
const time = (name: string) => ({ name, kind: 'time' as const });

export const TABLE_FUNCTIONS: ReadonlyMap<string, TableFunction> = new Map<string, TableFunction>([
  ['view_instance', {
    params: [text('view_set'), text('instance_id')],
    sql: ([viewSet, instanceId], context) => viewScan(context, String(viewSet), String(instanceId)),
  }],
  ['list_partitions', {
    params: [],
    async sql(_args, context) {
      if (context.planOnly) return relationSql(PARTITION_COLUMNS, []);
      const rows = await context.catalog.listPartitions();
      return relationSql(PARTITION_COLUMNS, rows.map((row) => PARTITION_COLUMNS.map((c) => row[c.name as keyof typeof row])));
    },
  }],
  ['list_view_sets', {
    params: [],
    async sql(_args, context) {
      const rows = context.catalog.viewSets().map((set) => [
        set.name, set.hasGlobal, set.instanceKind, set.timeColumn,
        set.schema.fields.map((f) => `${f.name}: ${describeType(f.type)}`).join(', '),
      ]);
      return relationSql(VIEW_SET_COLUMNS, rows);
    },
  }],
  ['materialize_partitions', {
    params: [text('view_set'), time('begin'), time('end'), { name: 'delta_seconds', kind: 'number' }],
    admin: true,
    async sql([viewSet, begin, end, delta], context) {
      const columns = [{ name: 'partitions_materialized', sqlType: 'BIGINT' }];
      if (context.planOnly) return relationSql(columns, []);
      if (!(Number(delta) > 0)) throw new QueryError('invalid_argument', `materialize_partitions: delta_seconds must be positive, got ${delta}`);
      const count = await context.catalog.materializePartitions(String(viewSet), begin as Date, end as Date, Number(delta));
      return relationSql(columns, [[count]]);
    },
  }],
  ['retire_partitions', {
    params: [text('view_set'), text('instance_id'), time('begin'), time('end')],
    admin: true,
    async sql([viewSet, instanceId, begin, end], context) {
      const columns = [{ name: 'partitions_retired', sqlType: 'BIGINT' }];
      if (context.planOnly) return relationSql(columns, []);
      const count = await context.catalog.retirePartitions(String(viewSet), String(instanceId), begin as Date, end as Date);
      return relationSql(columns, [[count]]);
    },
  }],
]);
