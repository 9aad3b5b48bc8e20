import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timestampTextNs } from './copy-stats.js';

describe('timestampTextNs', () => {
  it('reads every digit DuckDB renders, with or without a time zone offset', () => {
    assert.equal(timestampTextNs('1970-01-01 00:00:00.000000001'), 1n);
    assert.equal(timestampTextNs('2023-11-14 22:13:21.982335294'), 1_700_000_001_982_335_294n);
    assert.equal(timestampTextNs('2023-11-14 22:13:20.1'), 1_700_000_000_100_000_000n);
    assert.equal(timestampTextNs('2023-11-14 22:13:20'), 1_700_000_000_000_000_000n);
    assert.equal(timestampTextNs('1922-06-20 21:19:59.876543211'), -1_500_000_000_123_456_789n);
    assert.equal(timestampTextNs('2023-11-14 22:13:20.123+00'), 1_700_000_000_123_000_000n);
    assert.equal(timestampTextNs('2023-11-15 00:13:20+02'), 1_700_000_000_000_000_000n);
    assert.equal(timestampTextNs('2023-11-14 18:43:20-03:30'), 1_700_000_000_000_000_000n);
    assert.equal(timestampTextNs('2023-11-14 22:32:52+00:19:32'), 1_700_000_000_000_000_000n);
    assert.equal(timestampTextNs('1677-09-21 00:12:43.145224192'), -(2n ** 63n));
  });

  it('declines what is no time in the nanosecond range', () => {
    for (const text of ['infinity', '-infinity', '0500-01-01 00:00:00', '0044-03-15 12:00:00 (BC)', '12345-01-01 00:00:00', '2262-04-12 00:00:00', 'soon']) {
      assert.equal(timestampTextNs(text), undefined, text);
    }
  });
});
