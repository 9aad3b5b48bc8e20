import type { RecordBatch, Schema } from 'apache-arrow';
import { batchRows } from '@micromegas/flightsql-client';

/** How `micromegas query` prints a result: aligned table, CSV or a JSON array of row objects. */
export type OutputFormat = 'table' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

type Write = (text: string) => Promise<void>;

/** Cell text for table and CSV output; nested values print as JSON. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const MAX_CELL = 80;

function truncate(text: string): string {
  const single = text.replace(/\r?\n/g, '⏎');
  return single.length > MAX_CELL ? `${single.slice(0, MAX_CELL - 1)}…` : single;
}

/** The table needs every row to size its columns, so it buffers; CSV and JSON stream. */
async function writeTable(schema: Schema, batches: AsyncIterable<RecordBatch>, write: Write): Promise<void> {
  const names = schema.fields.map((f) => f.name);
  const rows: string[][] = [];
  const numeric: boolean[] = names.map(() => true);
  for await (const batch of batches) {
    for (const row of batchRows(batch)) {
      rows.push(names.map((name, i) => {
        const value = row[name];
        if (value !== null && typeof value !== 'number') numeric[i] = false;
        return truncate(cellText(value));
      }));
    }
  }
  const widths = names.map((name, i) => Math.max(name.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ').trimEnd();
  let out = `${line(names)}\n${widths.map((w) => '-'.repeat(w)).join('-+-')}\n`;
  for (const row of rows) out += `${line(row)}\n`;
  await write(`${out}(${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function writeCsv(schema: Schema, batches: AsyncIterable<RecordBatch>, write: Write): Promise<void> {
  const names = schema.fields.map((f) => f.name);
  await write(`${names.map(csvField).join(',')}\n`);
  for await (const batch of batches) {
    let out = '';
    for (const row of batchRows(batch)) out += `${names.map((name) => csvField(cellText(row[name]))).join(',')}\n`;
    await write(out);
  }
}

async function writeJson(batches: AsyncIterable<RecordBatch>, write: Write): Promise<void> {
  let first = true;
  await write('[');
  for await (const batch of batches) {
    let out = '';
    for (const row of batchRows(batch)) {
      out += `${first ? '\n' : ',\n'}  ${JSON.stringify(row)}`;
      first = false;
    }
    if (out) await write(out);
  }
  await write(first ? ']\n' : '\n]\n');
}

export function writeResult(format: OutputFormat, schema: Schema, batches: AsyncIterable<RecordBatch>, write: Write): Promise<void> {
  switch (format) {
    case 'table': return writeTable(schema, batches, write);
    case 'csv': return writeCsv(schema, batches, write);
    case 'json': return writeJson(batches, write);
  }
}
