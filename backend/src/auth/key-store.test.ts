import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '../lake/metadata/test-stores.js';
import { hashApiKey, KEY_PREFIX } from './api-key.js';
import { openAuthenticator } from './authenticator.js';
import { ApiKeyNameError, ApiKeyStore } from './key-store.js';

for (const backend of testMetadataBackends) {
  describe(`ApiKeyStore on ${backend.name}`, () => {
    let db: TestMetadataStore;
    let store: ApiKeyStore;
    before(async () => {
      db = await backend.open();
      store = new ApiKeyStore(db.store);
    });
    after(() => db.drop());

    it('creates a random key with its role, shown once; the database keeps only its SHA-256', async () => {
      const a = await store.create('ingest', 'game servers');
      const b = await store.create('query');
      assert.ok(a.key.startsWith(KEY_PREFIX) && a.key.length === KEY_PREFIX.length + 43, a.key);
      assert.notEqual(a.key, b.key);
      assert.deepEqual([a.name, a.role, a.revokedAt], ['game servers', 'ingest', null]);
      assert.match(b.name, /^query-[0-9a-f]{8}$/);
      const rows = await db.store.query('SELECT * FROM api_keys');
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(a.key) && !stored.includes(b.key), 'no column holds a key');
      assert.deepEqual(rows.map((r) => r['key_hash']).sort(), [hashApiKey(a.key), hashApiKey(b.key)].sort());
    });

    it('lists keys without key or hash, and refuses a second live key of the same name', async () => {
      await store.create('admin', 'ops');
      await assert.rejects(store.create('query', 'ops'), (err: unknown) => err instanceof ApiKeyNameError && /already named "ops"/.test(err.message));
      await assert.rejects(store.create('query', ''), ApiKeyNameError);
      await assert.rejects(store.create('query', 'bad\nname'), ApiKeyNameError);
      const listed = await store.list();
      assert.ok(listed.some((k) => k.name === 'ops' && k.role === 'admin'));
      for (const key of listed) assert.deepEqual(Object.keys(key).sort(), ['createdAt', 'id', 'name', 'revokedAt', 'role']);
    });

    it('revokes by id or by live name; a revoked key leaves the live set, keeps its first revocation time, frees its name', async () => {
      const byName = await store.create('query', 'dashboards');
      const byId = await store.create('ingest', 'ci');
      const revoked = await store.revoke('dashboards');
      assert.equal(revoked?.id, byName.id);
      assert.ok(revoked?.revokedAt instanceof Date);
      const first = await store.revoke(byId.id);
      const again = await store.revoke(byId.id);
      assert.deepEqual(again?.revokedAt, first?.revokedAt);
      assert.equal(await store.revoke('dashboards'), undefined, 'no live key of that name any more');
      assert.equal(await store.revoke('00000000-0000-0000-0000-000000000000'), undefined);
      const live = (await store.live()).map((k) => k.id);
      assert.ok(!live.includes(byName.id) && !live.includes(byId.id));
      const renewed = await store.create('query', 'dashboards');
      assert.ok((await store.live()).some((k) => k.id === renewed.id && k.hash === hashApiKey(renewed.key)));
      assert.ok((await store.list()).some((k) => k.id === byName.id && k.revokedAt !== null), 'revoked keys stay listed');
    });

    it('makes keys required once the database has a live key, and authenticates them', async () => {
      const empty = await backend.open();
      try {
        const keyless = await openAuthenticator(new ApiKeyStore(empty.store), { cacheTtlMs: 1000 });
        assert.equal(keyless.required, false);
        assert.match(keyless.description, /listening on loopback only/);
      } finally {
        await empty.drop();
      }
      const created = await store.create('query', 'grafana');
      const authenticator = await openAuthenticator(store, { cacheTtlMs: 1000 });
      assert.equal(authenticator.required, true);
      assert.match(authenticator.description, /^API keys required \(\d+ live keys in the database\)$/);
      assert.deepEqual(await authenticator.authenticate(`Bearer ${created.key}`, 'query'), { keyId: created.id, name: 'grafana', role: 'query' });
    });
  });
}
