import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Level } from '@micromegas/wire';
import { entryTime, levelOf, MAX_SKEW_NS, messageOf, propertiesOf, timeNsOf } from './pino-line.js';

describe('pino lines', () => {
  it('maps pino levels, custom ones to the standard level at or below them, labels through pino’s levels', () => {
    assert.deepEqual([60, 50, 40, 30, 20, 10].map((n) => levelOf(n)),
      [Level.Fatal, Level.Error, Level.Warn, Level.Info, Level.Debug, Level.Trace]);
    assert.equal(levelOf(35), Level.Info);
    assert.equal(levelOf(100), Level.Fatal);
    assert.equal(levelOf(5), Level.Trace);
    assert.equal(levelOf('warn'), Level.Warn);
    assert.equal(levelOf('audit', { values: { audit: 45 } }), Level.Warn);
    assert.equal(levelOf('unknown'), Level.Info);
    assert.equal(levelOf(undefined), Level.Info);
  });

  it('reads pino’s times: epoch ms, unix seconds, ISO strings to the nanosecond in any zone', () => {
    assert.equal(timeNsOf(1_772_597_167_123), 1_772_597_167_123_000_000n);
    assert.equal(timeNsOf(1_772_597_167), 1_772_597_167_000_000_000n);
    assert.equal(timeNsOf('2026-03-04T04:06:07.123456789Z'), 1_772_597_167_123_456_789n);
    assert.equal(timeNsOf('2026-03-04T05:06:07.123456789+01:00'), 1_772_597_167_123_456_789n);
    assert.equal(timeNsOf('2026-03-04T05:06:07.1+0100'), 1_772_597_167_100_000_000n);
    assert.equal(timeNsOf('2026-03-04T04:06:07Z'), 1_772_597_167_000_000_000n);
    assert.equal(timeNsOf('Wed, 04 Mar 2026 04:06:07 GMT'), 1_772_597_167_000_000_000n);
    assert.equal(timeNsOf('yesterday'), undefined);
    assert.equal(timeNsOf(undefined), undefined);
    assert.equal(timeNsOf(-5), undefined);
  });

  it('takes a time within a week of arrival, else the arrival time keeping pino’s value', () => {
    const now = 1_772_597_167_000_000_000n;
    assert.deepEqual(entryTime(1_772_597_166_000, now), { ns: now - 1_000_000_000n });
    assert.deepEqual(entryTime(Number((now - MAX_SKEW_NS) / 1_000_000n), now), { ns: now - MAX_SKEW_NS });
    assert.deepEqual(entryTime('2025-01-01T00:00:00Z', now), { ns: now, original: '2025-01-01T00:00:00Z' });
    assert.deepEqual(entryTime('soon', now), { ns: now, original: 'soon' });
    assert.deepEqual(entryTime(undefined, now), { ns: now });
  });

  it('flattens nested objects into dotted keys; arrays, numbers, booleans and null become JSON text', () => {
    const line = { level: 30, user: { id: 7, tags: ['a'], address: { city: 'Lyon' } }, ok: false, none: null, empty: {}, s: 'x' };
    assert.deepEqual(propertiesOf(line, (key) => key === 'level'), {
      'user.id': '7', 'user.tags': '["a"]', 'user.address.city': 'Lyon', ok: 'false', none: 'null', empty: '{}', s: 'x',
    });
  });

  it('reads the message under pino’s message key', () => {
    assert.equal(messageOf({ msg: 'hi' }, 'msg'), 'hi');
    assert.equal(messageOf({ message: 'hi' }, 'message'), 'hi');
    assert.equal(messageOf({ msg: { a: 1 } }, 'msg'), '{"a":1}');
    assert.equal(messageOf({}, 'msg'), '');
  });
});
