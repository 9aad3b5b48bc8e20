import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signals, type AnyValue } from '../../lake/otlp/schema.js';
import { valueText } from '../../lake/otlp/values.js';
import { levelOf } from './logs.js';

/** An AnyValue as protobufjs decodes it from OTLP/JSON. */
function any(json: object): AnyValue {
  const type = signals.logs.request;
  const bytes = type.encode(type.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: json }] }] }] })).finish();
  const decoded = type.decode(bytes) as unknown as { resourceLogs: { scopeLogs: { logRecords: { body: AnyValue }[] }[] }[] };
  return decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body;
}

describe('OTLP values in our views', () => {
  it('maps severity numbers onto our levels by ranges of four; unspecified is info', () => {
    const levels = Array.from({ length: 26 }, (_, n) => levelOf(n));
    assert.deepEqual(levels, [4, 6, 6, 6, 6, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 4]);
  });

  it('writes attribute values as text', () => {
    assert.equal(valueText(any({ stringValue: 'héllo' })), 'héllo');
    assert.equal(valueText(any({ intValue: '-9223372036854775808' })), '-9223372036854775808');
    assert.equal(valueText(any({ intValue: 0 })), '0');
    assert.equal(valueText(any({ doubleValue: 0.1 })), '0.1');
    assert.equal(valueText(any({ doubleValue: 'NaN' })), 'NaN');
    assert.equal(valueText(any({ boolValue: false })), 'false');
    assert.equal(valueText(any({ bytesValue: 'AQID' })), 'AQID');
    assert.equal(valueText(any({ arrayValue: { values: [{ stringValue: 'a"b' }, { intValue: '9007199254740993' }, { doubleValue: 'Infinity' }, {}] } })),
      '["a\\"b",9007199254740993,"Infinity",null]');
    assert.equal(valueText(any({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }, { key: 'e' }] } })), '{"k":true,"e":null}');
    assert.equal(valueText(any({})), '');
    assert.equal(valueText(null), '');
  });
});
