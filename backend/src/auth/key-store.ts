/** The API keys of the lake's metadata database (table api_keys, migration 0004). */
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../lake/metadata/store.js';
import { generateApiKey, hashApiKey } from './api-key.js';
import type { KeyRole } from './roles.js';

/** A key as `keys list` shows it: never the key, never its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  role: KeyRole;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A key just created: the only time the key itself is known. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string;
}

/** What the authenticator needs of a live key. */
export interface LiveApiKey {
  hash: string;
  id: string;
  name: string;
  role: KeyRole;
}

/** A name the store refuses: empty, too long, with control characters, or already a live key's. */
export class ApiKeyNameError extends Error {
  override name = 'ApiKeyNameError';
}

const MAX_NAME_LENGTH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

interface KeyRow extends Record<string, unknown> {
  key_id: string;
  name: string;
  role: KeyRole;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'key_id, name, role, created_at, revoked_at';
const info = (row: KeyRow): ApiKeyInfo => ({ id: row.key_id, name: row.name, role: row.role, createdAt: row.created_at, revokedAt: row.revoked_at });

export class ApiKeyStore {
  constructor(private readonly db: SqlExecutor) {}

  /** A new key with `role`; `name` defaults to the role and the start of the id. */
  async create(role: KeyRole, name?: string): Promise<CreatedApiKey> {
    const id = randomUUID();
    const keyName = name ?? `${role}-${id.slice(0, 8)}`;
    if (keyName.trim() === '' || keyName.length > MAX_NAME_LENGTH || CONTROL.test(keyName)) {
      throw new ApiKeyNameError(`key name ${JSON.stringify(keyName)}: expected 1 to ${MAX_NAME_LENGTH} printable characters`);
    }
    const key = generateApiKey();
    const [row] = await this.db.query<KeyRow>(
      `INSERT INTO api_keys (key_id, name, role, key_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING RETURNING ${COLUMNS}`,
      [id, keyName, role, hashApiKey(key)],
    );
    if (row === undefined) throw new ApiKeyNameError(`a live key is already named ${JSON.stringify(keyName)}: revoke it or pick another name`);
    return { ...info(row), key };
  }

  /** Every key, revoked ones included, newest first. */
  async list(): Promise<ApiKeyInfo[]> {
    return (await this.db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, name`)).map(info);
  }

  /**
   * Revokes the key with this id, or the live key with this name; undefined when there is none. A key
   * already revoked keeps the time it was first revoked.
   */
  async revoke(idOrName: string): Promise<ApiKeyInfo | undefined> {
    const [row] = UUID.test(idOrName)
      ? await this.db.query<KeyRow>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING ${COLUMNS}`, [idOrName])
      : await this.db.query<KeyRow>(
        `UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`, [idOrName]);
    return row === undefined ? undefined : info(row);
  }

  /** The keys that authenticate: not revoked. */
  async live(): Promise<LiveApiKey[]> {
    const rows = await this.db.query<{ key_hash: string; key_id: string; name: string; role: KeyRole }>(
      'SELECT key_hash, key_id, name, role FROM api_keys WHERE revoked_at IS NULL');
    return rows.map((row) => ({ hash: row.key_hash, id: row.key_id, name: row.name, role: row.role }));
  }
}
