import type { Table } from 'apache-arrow';
import { fieldFromColumn } from '../columns.js';
import type { Frame } from '../frame.js';

/** The result as one frame, column for column. */
export function tableFrame(table: Table, refId: string, sql: string): Frame {
  const fields = table.schema.fields.map((f, i) => fieldFromColumn(f.name, table.getChildAt(i)!));
  return { name: refId, refId, fields, meta: { executedQueryString: sql } };
}
