import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from './engine.js';
import { openFixture, type Fixture } from './testing/fixture.js';

let fixture: Fixture;
before(async () => { fixture = await openFixture(); });
after(async () => { await fixture.close(); });

// Fails at row 1 000 000 of 2 000 000: far enough that the first chunks are streamed before it.
const FAILS_LATE = `SELECT CASE WHEN i < 1000000 THEN i ELSE error('boom') END AS v FROM range(2000000) t(i)`;

/** Drains a query, returning how many batches arrived before it rejected (or the error if none). */
async function drain(sql: string, signal?: AbortSignal, onBatch?: () => void): Promise<{ batches: number; error: unknown }> {
  let batches = 0;
  try {
    const result = await fixture.engine.query(sql, { signal });
    for await (const _ of result.batches) {
      batches += 1;
      onBatch?.();
    }
    return { batches, error: undefined };
  } catch (error) {
    return { batches, error };
  }
}

describe('DuckDB engine: failures while a result streams', () => {
  it('rejects the iteration when execution fails after the first batches', async () => {
    const { batches, error } = await drain(FAILS_LATE);
    assert.ok(batches > 0, 'the failure came after batches had streamed');
    assert.ok(error instanceof QueryError, `got ${String(error)}`);
    assert.equal(error.code, 'internal');
    assert.match(error.message, /query failed after \d+ rows/);
    assert.equal(error.sql, FAILS_LATE);
  });

  it("keeps DuckDB's message when the failure comes before any row", async () => {
    const { batches, error } = await drain(`SELECT CAST('x' || i AS INTEGER) AS v FROM range(10) t(i)`);
    assert.equal(batches, 0);
    assert.ok(error instanceof QueryError);
    assert.equal(error.code, 'invalid_argument');
    assert.match(error.message, /Conversion Error: Could not convert string 'x0'/);
  });

  it('reports a query cancelled mid-stream as cancelled, not as a short result', async () => {
    const controller = new AbortController();
    const { batches, error } = await drain(`SELECT i FROM range(50000000) t(i)`, controller.signal, () => controller.abort());
    assert.ok(batches >= 1 && batches < 3000, `${batches} batches of 3052`);
    assert.ok(error instanceof QueryError, `got ${String(error)}`);
    assert.equal(error.code, 'cancelled');
  });

  it('still streams a complete result to the end, and the engine keeps serving after a failure', async () => {
    await drain(FAILS_LATE);
    const { table, batches } = await fixture.run(`SELECT i FROM range(300000) t(i)`);
    assert.equal(table.numRows, 300000);
    assert.ok(batches > 1);
    assert.equal(table.getChild('i')!.get(299999), 299999n);
  });
});
