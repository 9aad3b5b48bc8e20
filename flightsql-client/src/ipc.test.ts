import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DataType, Dictionary, Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray,
} from 'apache-arrow';
import { deserializeSchema, readFlightData, serializeSchema, toFlightData, toIpcStream } from './ipc.js';
import { tableFromIPC } from 'apache-arrow';

const label = new Dictionary(new Utf8(), new Int32());
const schema = new Schema([new Field('id', new Int64(), false), new Field('label', label, true)]);

function batch(ids: bigint[], labels: (string | null)[]): RecordBatch {
  const children = [vectorFromArray(ids, new Int64()).data[0]!, vectorFromArray(labels, label).data[0]!];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: ids.length, children }));
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('Arrow IPC ⇄ FlightData', () => {
  it('round-trips a schema with dictionary fields', () => {
    const decoded = deserializeSchema(serializeSchema(schema));
    assert.deepEqual(decoded.fields.map((f) => [f.name, f.nullable]), [['id', false], ['label', true]]);
    assert.ok(DataType.isDictionary(decoded.fields[1]!.type));
  });

  it('sends one message per batch plus its dictionary, and replaces dictionaries between batches', async () => {
    const batches = [batch([1n, 2n], ['a', 'b']), batch([3n], ['c']), batch([4n, 5n], [null, 'a'])];
    const messages = [];
    for await (const m of toFlightData(schema, from(batches))) messages.push(m);
    assert.equal(messages.length, 1 + 2 * batches.length, 'schema, then dictionary + batch for each');
    const rows = [];
    for await (const received of await readFlightData(from(messages))) rows.push(...received.toArray().map((r) => r.toJSON()));
    assert.deepEqual(rows, [
      { id: 1n, label: 'a' }, { id: 2n, label: 'b' }, { id: 3n, label: 'c' }, { id: 4n, label: null }, { id: 5n, label: 'a' },
    ]);
  });

  it('writes a complete IPC stream that apache-arrow reads back', async () => {
    const chunks = [];
    for await (const chunk of toIpcStream(schema, from([batch([7n], ['x']), batch([8n], ['y'])]))) chunks.push(chunk);
    const table = tableFromIPC(Buffer.concat(chunks));
    assert.equal(table.batches.length, 2);
    assert.deepEqual(table.toArray().map((r) => r.label), ['x', 'y']);
  });

  it('writes a readable stream for an empty result', async () => {
    const chunks = [];
    for await (const chunk of toIpcStream(schema, from([]))) chunks.push(chunk);
    const table = tableFromIPC(Buffer.concat(chunks));
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['id', 'label']);
  });
});
