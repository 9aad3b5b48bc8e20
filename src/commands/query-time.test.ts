import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeBound, TimeBoundError } from './query-time.js';

const now = new Date('2024-06-01T12:00:00Z');

describe('micromegas query time bounds', () => {
  it('reads now, durations back from now and RFC 3339', () => {
    assert.equal(parseTimeBound('--end', 'now', now), now);
    assert.equal(parseTimeBound('--begin', '1h', now).toISOString(), '2024-06-01T11:00:00.000Z');
    assert.equal(parseTimeBound('--begin', '30m', now).toISOString(), '2024-06-01T11:30:00.000Z');
    assert.equal(parseTimeBound('--begin', '2d', now).toISOString(), '2024-05-30T12:00:00.000Z');
    assert.equal(parseTimeBound('--begin', '1.5h', now).toISOString(), '2024-06-01T10:30:00.000Z');
    assert.equal(parseTimeBound('--begin', '2024-06-01T10:00:00+02:00', now).toISOString(), '2024-06-01T08:00:00.000Z');
  });

  it('refuses anything else, naming the option', () => {
    for (const bad of ['yesterday', '1y', '2024-06-01', '2024-06-01T10:00:00', '-1h', '']) {
      assert.throws(() => parseTimeBound('--begin', bad, now), (err: unknown) => err instanceof TimeBoundError && err.message.startsWith('--begin'));
    }
  });
});
