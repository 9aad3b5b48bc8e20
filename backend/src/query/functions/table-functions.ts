import { QueryError } from '../engine.js';
import type { SourceContext } from '../rewrite/context.js';
import { viewScan } from '../rewrite/view-scan.js';
import type { AstNode, Statement } from '../sql/parser.js';
import { relationSql, type Column } from '../sql/text.js';
import { describeType } from '../describe/type-names.js';
import { unnestRows } from './expression-rows.js';
import { parseBlock } from './parse-block.js';
import { perfettoTraceChunks } from './perfetto-trace-chunks.js';
import { processSpans } from './process-spans.js';

/**
 * How an argument is evaluated: as text, as an instant, or as a number; an `expression` is not
 * evaluated but handed over as its parse tree (views in it already rewritten), for the function to
 * place in its SQL: a subquery or a value per row.
 */
export type ParamKind = 'text' | 'time' | 'number' | 'expression';
export type ArgValue = string | Date | number | AstNode;

/** A table function of the micromegas dialect: arguments in, a relation (as SQL or parsed) out. */
export interface TableFunction {
  params: readonly { name: string; kind: ParamKind }[];
  /** Admin functions change the lake: refused unless the engine allows them. */
  admin?: boolean;
  sql(args: ArgValue[], context: SourceContext): Promise<string | Statement>;
}

/** Columns from `{ name: sqlType }`, in order. */
const columns = (types: Record<string, string>): Column[] => Object.entries(types).map(([name, sqlType]) => ({ name, sqlType }));

/** Microsecond timestamps: the catalog's open-ended bounds (year 9999) do not fit nanoseconds until they reach Arrow. */
const PARTITION_COLUMNS = columns({
  view_set_name: 'VARCHAR', view_instance_id: 'VARCHAR',
  begin_insert_time: 'TIMESTAMP', end_insert_time: 'TIMESTAMP', min_event_time: 'TIMESTAMP', max_event_time: 'TIMESTAMP',
  updated: 'TIMESTAMP', file_path: 'VARCHAR', file_size: 'BIGINT', file_schema_hash: 'VARCHAR', source_data_hash: 'VARCHAR',
  num_rows: 'BIGINT',
});

const VIEW_SET_COLUMNS = columns({
  view_set_name: 'VARCHAR', has_global_instance: 'BOOLEAN', instance_kind: 'VARCHAR', time_column: 'VARCHAR', schema: 'VARCHAR',
});

const text = (name: string) => ({ name, kind: 'text' as const });
const time = (name: string) => ({ name, kind: 'time' as const });
const expression = (name: string) => ({ name, kind: 'expression' as const });

/** A table function unnesting its scalar twin (a macro of the same name) over its one argument's rows. */
function unnesting(name: string, param: string, types: Record<string, string>): [string, TableFunction] {
  const relation = columns(types);
  return [name, { params: [expression(param)], sql: ([arg], context) => unnestRows(name, arg as AstNode, context, relation) }];
}

/** An admin function answering with how many partitions the catalog call touched (not run when planning). */
function adminCount(
  params: TableFunction['params'], column: string, call: (args: ArgValue[], context: SourceContext) => Promise<number>,
): TableFunction {
  const relation = columns({ [column]: 'BIGINT' });
  return {
    params,
    admin: true,
    async sql(args, context) {
      return relationSql(relation, context.planOnly ? [] : [[await call(args, context)]]);
    },
  };
}

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
  ['process_spans', { params: [text('process_id'), text('types')], sql: processSpans }],
  ['parse_block', { params: [text('block_id')], sql: parseBlock }],
  unnesting('jsonb_each', 'jsonb', { key: 'VARCHAR', value: 'JSON' }),
  unnesting('jsonb_array_elements', 'jsonb', { value: 'JSON' }),
  unnesting('expand_histogram', 'histogram', { bin_center: 'DOUBLE', count: 'UBIGINT' }),
  ['perfetto_trace_chunks', {
    params: [text('process_id'), text('span_types'), time('begin'), time('end')],
    sql: perfettoTraceChunks,
  }],
  ['materialize_partitions', adminCount(
    [text('view_set'), time('begin'), time('end'), { name: 'delta_seconds', kind: 'number' }], 'partitions_materialized',
    ([viewSet, begin, end, delta], { catalog }) => {
      if (!(Number(delta) > 0)) throw new QueryError('invalid_argument', `materialize_partitions: delta_seconds must be positive, got ${delta}`);
      return catalog.materializePartitions(String(viewSet), begin as Date, end as Date, Number(delta));
    })],
  ['retire_partitions', adminCount(
    [text('view_set'), text('instance_id'), time('begin'), time('end')], 'partitions_retired',
    ([viewSet, instanceId, begin, end], { catalog }) => catalog.retirePartitions(String(viewSet), String(instanceId), begin as Date, end as Date))],
]);
