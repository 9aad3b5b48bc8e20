import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRfc3339Ns } from './rfc3339.js';
import { nsToTimestamptz } from '../lake/telemetry/time.js';

/** The grammar as a regular expression, with the same date checks: what parseRfc3339Ns must agree with. */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function byPattern(text: string): bigint | undefined {
  const m = PATTERN.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day
    || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return BigInt(date.getTime() / 1000 - offsetMinutes * 60) * 1_000_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
}

/** A number of `width` digits, mostly in [min, max] (a little past the bounds of its field). */
const field = (width: number, min: number, max: number) => fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** width - 1 }) },
).map((n) => String(n).padStart(width, '0'));

/** Times of every shape the grammar allows, some just outside (February 30, hour 24, 10 fraction digits, …), some edited. */
const nearTimes = fc.tuple(
  fc.tuple(field(4, 1600, 2300), field(2, 0, 13), field(2, 0, 32), field(2, 0, 24), field(2, 0, 60), field(2, 0, 60)),
  fc.constantFrom('T', 't', ' ', 'x'),
  fc.option(fc.stringMatching(/^[0-9]{0,10}$/)),
  fc.oneof(fc.constantFrom('Z', 'z', '', 'ZZ'), fc.tuple(fc.constantFrom('+', '-'), field(2, 0, 24), field(2, 0, 60)).map(([sign, h, m]) => `${sign}${h}:${m}`),
    fc.stringMatching(/^[+:0-9-]{1,7}$/)),
  fc.array(fc.tuple(fc.nat(40), fc.boolean(), fc.constantFrom('', '0', '9', '-', ':', '.', 'T', 'Z', '+', 'a', '٣')), { maxLength: 2 }),
).map(([[y, mo, d, h, mi, s], t, fraction, zone, edits]) => {
  let text = `${y}-${mo}-${d}${t}${h}:${mi}:${s}${fraction === null ? '' : `.${fraction}`}${zone}`;
  for (const [at, replace, insert] of edits) text = text.slice(0, at) + insert + text.slice(replace ? at + 1 : at);
  return text;
});

describe('parseRfc3339Ns', () => {
  it('reads exactly what its grammar describes', () => {
    fc.assert(fc.property(nearTimes, (text) => assert.equal(parseRfc3339Ns(text), byPattern(text), text)), { numRuns: 20_000 });
  });

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
