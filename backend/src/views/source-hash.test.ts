import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testMetadataBackends, type TestMetadataStore } from '../lake/metadata/test-stores.js';
import { combineSourceHashes, sourceHashSql, sourceIdsHash, withSuffix } from './source-hash.js';

describe('source hashes', () => {
  const ids = Array.from({ length: 50 }, () => randomUUID());

  it('do not depend on order, and tell sets apart', () => {
    assert.equal(sourceIdsHash(ids), sourceIdsHash([...ids].reverse()));
    assert.notEqual(sourceIdsHash(ids), sourceIdsHash(ids.slice(1)));
    assert.notEqual(sourceIdsHash(ids.slice(0, 1)), sourceIdsHash(ids.slice(1, 2)));
    assert.equal(sourceIdsHash([]), '0.0');
  });

  it('of disjoint parts combine into the hash of their union', () => {
    const parts = [ids.slice(0, 10), ids.slice(10, 11), ids.slice(11)];
    assert.equal(combineSourceHashes(parts.map(sourceIdsHash)), sourceIdsHash(ids));
    assert.equal(combineSourceHashes([sourceIdsHash(ids.slice(0, 10)), sourceIdsHash(ids.slice(20))]) === sourceIdsHash(ids), false);
  });

  it('combine only with the same suffix', () => {
    const [a, b] = [sourceIdsHash(ids.slice(0, 5)), sourceIdsHash(ids.slice(5))];
    assert.equal(combineSourceHashes([withSuffix(a, 'schema1'), withSuffix(b, 'schema1')]), withSuffix(sourceIdsHash(ids), 'schema1'));
    assert.equal(combineSourceHashes([withSuffix(a, 'schema1'), withSuffix(b, 'schema2')]), undefined);
    assert.equal(combineSourceHashes([withSuffix(a, 'x'), b]), undefined);
    assert.equal(combineSourceHashes([withSuffix(withSuffix(a, 'x'), 'y'), withSuffix(withSuffix(b, 'x'), 'y')]),
      withSuffix(withSuffix(sourceIdsHash(ids), 'x'), 'y'));
    assert.equal(combineSourceHashes([]), undefined);
    assert.equal(combineSourceHashes(['d41d8cd98f00b204e9800998ecf8427e']), undefined, 'a hash of another format never combines');
  });
});

for (const backend of testMetadataBackends) {
  describe(`source hashes computed by ${backend.name}`, () => {
    let db: TestMetadataStore;
    before(async () => { db = await backend.open(); });
    after(async () => { await db.drop(); });

    it('equal the ones computed here, for one id, many, and none', async () => {
      const ids = Array.from({ length: 300 }, () => randomUUID());
      for (const set of [ids, ids.slice(0, 1), []]) {
        const [row] = await db.store.query<{ hash: string }>(`SELECT ${sourceHashSql('id')} AS hash FROM unnest($1::text[]) AS t(id)`, [set]);
        assert.equal(row!.hash, sourceIdsHash(set));
      }
    });
  });
}
