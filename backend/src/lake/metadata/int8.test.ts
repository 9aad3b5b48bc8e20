import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseInt8 } from './int8.js';

describe('parseInt8', () => {
  it('returns safe integers as numbers, of any length, and the others as bigints', () => {
    for (const [text, expected] of [
      ['0', 0], ['-1', -1], ['999999999999999', 999_999_999_999_999], ['-99999999999999', -99_999_999_999_999],
      ['1000000000000000', 1_000_000_000_000_000], ['9007199254740991', Number.MAX_SAFE_INTEGER], ['-9007199254740991', Number.MIN_SAFE_INTEGER],
      ['9007199254740992', 9_007_199_254_740_992n], ['-9007199254740992', -9_007_199_254_740_992n],
      ['1765000000123456789', 1_765_000_000_123_456_789n], ['-9223372036854775808', -9_223_372_036_854_775_808n],
    ] as const) {
      assert.strictEqual(parseInt8(text), expected, text);
    }
  });
});
