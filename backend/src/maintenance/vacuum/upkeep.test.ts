import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upkeepOf } from './upkeep.js';

const table = { table: 't', liveTuples: 1000, deadTuples: 0, insertedSinceVacuum: 0, modifiedSinceAnalyze: 0 };

test('a table is vacuumed past 50 + 20 % dead tuples or 1000 + 20 % inserts, analyzed past 50 + 10 % changes (autovacuum\'s defaults)', () => {
  assert.deepEqual(upkeepOf(table), { vacuum: false, analyze: false }, 'an unchanged table needs nothing');
  assert.deepEqual(upkeepOf({ ...table, deadTuples: 250 }), { vacuum: false, analyze: false });
  assert.deepEqual(upkeepOf({ ...table, deadTuples: 251 }), { vacuum: true, analyze: false });
  assert.deepEqual(upkeepOf({ ...table, insertedSinceVacuum: 1200 }), { vacuum: false, analyze: false });
  assert.deepEqual(upkeepOf({ ...table, insertedSinceVacuum: 1201 }), { vacuum: true, analyze: false });
  assert.deepEqual(upkeepOf({ ...table, modifiedSinceAnalyze: 150 }), { vacuum: false, analyze: false });
  assert.deepEqual(upkeepOf({ ...table, modifiedSinceAnalyze: 151 }), { vacuum: false, analyze: true });
  assert.deepEqual(upkeepOf({ ...table, liveTuples: 10, deadTuples: 60, modifiedSinceAnalyze: 60 }), { vacuum: true, analyze: true },
    'a small table that churns is visited soon');
});
