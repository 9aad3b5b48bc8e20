import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { delayToNextTick } from './loop.js';

describe('delayToNextTick', () => {
  const second = 1_700_000_000_000; // a second boundary
  it('waits for the next second boundary plus the closing margin after a quick tick', () => {
    assert.equal(delayToNextTick(second + 250, second + 400), 1000 - 400 + 250);
  });
  it('waits only for the margin when a tick ended just past the next boundary', () => {
    assert.equal(delayToNextTick(second + 250, second + 1100), 150);
  });
  it('starts at once when a tick ended after the next tick was due', () => {
    assert.equal(delayToNextTick(second + 250, second + 1300), 0);
    assert.equal(delayToNextTick(second + 250, second + 4700), 0);
  });
  it('a first tick started off the grid is followed at the next boundary plus margin', () => {
    assert.equal(delayToNextTick(second + 900, second + 950), 1000 - 950 + 250);
  });
});
