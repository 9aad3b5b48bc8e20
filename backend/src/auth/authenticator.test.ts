import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashApiKey } from './api-key.js';
import { ANONYMOUS, AuthError, Authenticator } from './authenticator.js';
import type { LiveApiKey } from './key-store.js';
import { KEY_ROLES, type KeyRole } from './roles.js';

const live = (key: string, role: KeyRole): LiveApiKey => ({ hash: hashApiKey(key), id: `id-${key}`, name: `name-${key}`, role });

/** A database of keys whose reads are counted, and a clock moved by hand. */
function fixture(keys: LiveApiKey[], cacheTtlMs = 5000) {
  const clock = { now: 0 };
  const db = { keys, reads: 0, down: false };
  const authenticator = new Authenticator({
    required: true, cacheTtlMs, now: () => clock.now,
    load: async () => {
      db.reads++;
      if (db.down) throw new Error('connection refused');
      return [...db.keys];
    },
  });
  return { clock, db, authenticator };
}

const refused = (code: string, message: RegExp) => (err: unknown) => err instanceof AuthError && err.code === code && message.test(err.message);

describe('Authenticator', () => {
  it('lets everyone in, as admin, when no key is required', async () => {
    const open = new Authenticator({ required: false, cacheTtlMs: 0 });
    assert.equal(await open.authenticate(undefined, 'admin'), ANONYMOUS);
    assert.equal(await open.authenticate('Bearer whatever', 'ingest'), ANONYMOUS);
  });

  it('refuses a missing, malformed, unknown key with a message saying which', async () => {
    const { authenticator } = fixture([live('k1', 'query')]);
    await assert.rejects(authenticator.authenticate(undefined, 'query'), refused('unauthenticated', /missing API key.*authorization: Bearer <key>.*query role/));
    await assert.rejects(authenticator.authenticate('Basic dXNlcjpwYXNz', 'query'), refused('unauthenticated', /malformed authorization header/));
    await assert.rejects(authenticator.authenticate('Bearer k2', 'query'), refused('unauthenticated', /invalid API key: unknown or revoked/));
    assert.equal((await authenticator.authenticate('bearer k1', 'query')).name, 'name-k1');
  });

  it('admin implies ingest and query; query and ingest imply nothing else', async () => {
    const { authenticator } = fixture(KEY_ROLES.map((role) => live(role, role)));
    const allowed: string[] = [];
    for (const held of KEY_ROLES) {
      for (const needed of KEY_ROLES) {
        try {
          await authenticator.authenticate(`Bearer ${held}`, needed);
          allowed.push(`${held}→${needed}`);
        } catch (err) {
          assert.ok(refused('permission_denied', new RegExp(`'name-${held}' has the ${held} role; this needs ${needed}`))(err), String(err));
        }
      }
    }
    assert.deepEqual(allowed, ['ingest→ingest', 'query→query', 'admin→ingest', 'admin→query', 'admin→admin']);
  });

  it('reads the database once per cache period, whatever the requests (unknown keys included); revocations show after it', async () => {
    const { clock, db, authenticator } = fixture([live('k1', 'ingest'), live('k2', 'ingest')]);
    for (let i = 0; i < 100; i++) {
      await authenticator.authenticate('Bearer k1', 'ingest');
      await assert.rejects(authenticator.authenticate(`Bearer guess-${i}`, 'ingest'));
    }
    assert.equal(db.reads, 1);
    db.keys = [live('k2', 'ingest')]; // k1 revoked
    clock.now = 4999;
    await authenticator.authenticate('Bearer k1', 'ingest');
    assert.equal(db.reads, 1, 'still cached');
    clock.now = 5000;
    await assert.rejects(authenticator.authenticate('Bearer k1', 'ingest'), refused('unauthenticated', /unknown or revoked/));
    await authenticator.authenticate('Bearer k2', 'ingest');
    assert.equal(db.reads, 2);
  });

  it('reads once for concurrent requests; when the keys cannot be read, refuses as unavailable and reads again next time', async () => {
    const { clock, db, authenticator } = fixture([live('k1', 'query')]);
    await Promise.all(Array.from({ length: 20 }, () => authenticator.authenticate('Bearer k1', 'query')));
    assert.equal(db.reads, 1);
    db.down = true;
    clock.now = 10_000;
    await assert.rejects(authenticator.authenticate('Bearer k1', 'query'), refused('unavailable', /API keys could not be read: connection refused/));
    db.down = false;
    assert.equal((await authenticator.authenticate('Bearer k1', 'query')).role, 'query');
    assert.equal(db.reads, 3);
  });

  it('accepts process keys without reading the database', async () => {
    const { db } = fixture([]);
    const authenticator = new Authenticator({
      required: true, cacheTtlMs: 0, processKeys: [{ key: 'own', name: 'self-telemetry', role: 'ingest' }],
      load: async () => { db.reads++; return []; },
    });
    assert.deepEqual(await authenticator.authenticate('Bearer own', 'ingest'), { keyId: 'process:self-telemetry', name: 'self-telemetry', role: 'ingest' });
    await assert.rejects(authenticator.authenticate('Bearer own', 'query'), refused('permission_denied', /ingest role/));
    assert.equal(db.reads, 0);
  });
});
