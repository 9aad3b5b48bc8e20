import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, Dictionary, Field, Int16, Int32, Schema, Utf8 } from 'apache-arrow';
import { likeMatcher, viewSetTables, withoutDictionaries } from './tables.js';

describe('FlightSQL table listing', () => {
  it('matches SQL LIKE patterns literally apart from % and _', () => {
    const match = likeMatcher('log_%');
    assert.ok(match('log_entries'));
    assert.ok(match('logXentries'), '_ is any one character');
    assert.ok(!match('measures'));
    assert.ok(likeMatcher('a.c')('a.c') && !likeMatcher('a.c')('abc'), 'regex characters are literal');
    assert.ok(likeMatcher(undefined)('anything'));
    assert.ok(likeMatcher('%')(''));
  });

  it('lists only view sets with a global instance', () => {
    const schema = new Schema([]);
    const tables = viewSetTables([
      { name: 'log_entries', schema, hasGlobal: true, instanceKind: 'process_id', timeColumn: 'time' },
      { name: 'thread_spans', schema, hasGlobal: false, instanceKind: 'stream_id', timeColumn: 'begin' },
    ]);
    assert.deepEqual(tables.map((t) => t.name), ['log_entries']);
  });

  it('advertises dictionary columns as their value type', () => {
    const schema = new Schema([new Field('target', new Dictionary(new Utf8(), new Int16()), false), new Field('level', new Int32())]);
    const plain = withoutDictionaries(schema);
    assert.ok(DataType.isUtf8(plain.fields[0]!.type));
    assert.equal(plain.fields[0]!.nullable, false);
    assert.equal(plain.fields[1], schema.fields[1]);
  });
});
