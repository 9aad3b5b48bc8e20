import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRfc3339Ns } from './rfc3339.js';
import { nsToTimestamptz } from '../lake/telemetry/time.js';

describe('parseRfc3339Ns', () => {
  it('keeps every nanosecond and applies offsets', () => {
    assert.equal(parseRfc3339Ns('1970-01-01T00:00:00Z'), 0n);
    assert.equal(parseRfc3339Ns('2026-11-23T12:00:00.123456789Z'), 1_795_435_200_123_456_789n);
    assert.equal(parseRfc3339Ns('2026-11-23T13:30:00.5+01:30'), 1_795_435_200_500_000_000n);
    assert.equal(parseRfc3339Ns('1969-12-31T23:59:59.999999999Z'), -1n);
  });

  it('refuses what is not an RFC 3339 time', () => {
    for (const text of ['', '2026-11-23', '2026-11-23T12:00:00', '2026-02-29T00:00:00Z', '2026-11-23T24:00:00Z',
      '2026-11-23T12:00:00.1234567891Z', '2026-11-23T12:00:00+25:00', ' 2026-11-23T12:00:00Z']) {
      assert.equal(parseRfc3339Ns(text), undefined, text);
    }
  });

  it('agrees with Date to the millisecond, and timestamptz truncates to the microsecond', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: 0, max: 999_999 }),
      (date, subMs) => {
        const iso = date.toISOString().replace('Z', `${String(subMs).padStart(6, '0')}Z`);
        const ns = parseRfc3339Ns(iso)!;
        assert.equal(ns, BigInt(date.getTime()) * 1_000_000n + BigInt(subMs));
        assert.equal(nsToTimestamptz(ns), iso.replace(/(\.\d{6})\d{3}Z$/, '$1Z'));
      }));
  });
});
