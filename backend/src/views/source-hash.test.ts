import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testMetadataBackends, type TestMetadataStore } from '../lake/metadata/test-stores.js';
import { combineSourceHashes, EMPTY_SOURCE_HASH, sourceHashOverResultSql, sourceHashSql, withSuffix } from './source-hash.js';

describe('combining source hashes', () => {
  it('adds counts and sums, keeping a common suffix', () => {
    assert.equal(combineSourceHashes(['2.10', '1.-3', '0.0']), '3.7');
    assert.equal(combineSourceHashes([withSuffix('2.10', 'schema1'), withSuffix('1.5', 'schema1')]), withSuffix('3.15', 'schema1'));
    assert.equal(combineSourceHashes([withSuffix(withSuffix('1.1', 'x'), 'y'), withSuffix(withSuffix('1.2', 'x'), 'y')]), withSuffix(withSuffix('2.3', 'x'), 'y'));
  });

  it('refuses what does not combine: other suffixes, none at all, another format', () => {
    assert.equal(combineSourceHashes([withSuffix('1.1', 'schema1'), withSuffix('1.2', 'schema2')]), undefined);
    assert.equal(combineSourceHashes([withSuffix('1.1', 'x'), '1.2']), undefined);
    assert.equal(combineSourceHashes([]), undefined);
    assert.equal(combineSourceHashes(['d41d8cd98f00b204e9800998ecf8427e']), undefined, 'an md5 of the previous format never combines');
  });
});

for (const backend of testMetadataBackends) {
  describe(`source hashes computed by ${backend.name}`, () => {
    let db: TestMetadataStore;
    before(async () => { db = await backend.open(); });
    after(async () => { await db.drop(); });

    const ids = Array.from({ length: 300 }, () => randomUUID());
    const hashOf = async (set: readonly string[]) => {
      const [row] = await db.store.query<{ hash: string }>(`SELECT ${sourceHashSql('id')} AS hash FROM unnest($1::text[]) AS t(id)`, [[...set]]);
      return row!.hash;
    };

    it('do not depend on order, tell sets apart, and hash nothing as the empty hash', async () => {
      assert.equal(await hashOf(ids), await hashOf([...ids].reverse()));
      assert.notEqual(await hashOf(ids), await hashOf(ids.slice(1)));
      assert.notEqual(await hashOf(ids.slice(0, 1)), await hashOf(ids.slice(1, 2)));
      assert.equal(await hashOf([]), EMPTY_SOURCE_HASH);
    });

    it('of disjoint parts combine into the hash of their union', async () => {
      const parts = await Promise.all([ids.slice(0, 10), ids.slice(10, 11), ids.slice(11)].map(hashOf));
      assert.equal(combineSourceHashes(parts), await hashOf(ids));
      assert.notEqual(combineSourceHashes([parts[0]!, parts[2]!]), await hashOf(ids));
    });

    it('over a whole result, on each row, equal the aggregate (what a build reads is what it records)', async () => {
      const rows = await db.store.query<{ hash: string }>(`SELECT id, ${sourceHashOverResultSql('id')} AS hash FROM unnest($1::text[]) AS t(id)`, [ids]);
      assert.equal(rows.length, ids.length);
      assert.deepEqual(new Set(rows.map((r) => r.hash)), new Set([await hashOf(ids)]));
    });
  });
}
