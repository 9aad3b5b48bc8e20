import type { Migration } from './migration.js';

/**
 * API keys: only a SHA-256 of each key is kept (keys are 256-bit random tokens, see
 * auth/api-key.ts), with its role and a name. A revoked key keeps its row (revoked_at) so `keys list`
 * shows what was revoked and when; a name is unique among live keys so that it can name the key to
 * revoke.
 */
export const apiKeys: Migration = {
  version: 4,
  name: 'api keys',
  statements: [
    `CREATE TABLE api_keys (
      key_id uuid PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('ingest', 'query', 'admin')),
      key_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`,
    'CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL',
  ],
};
