import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.js';
import { ConfigError, loadConfig } from '@micromegas/backend/config';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import { DataDirLockedError } from '@micromegas/backend/lake/metadata/data-dir-lock';
import { ApiKeyNameError, ApiKeyStore, type ApiKeyInfo } from '@micromegas/backend/auth/key-store';
import { isKeyRole, KEY_ROLES } from '@micromegas/backend/auth/roles';

const USAGE = 'micromegas keys create --role ingest|query|admin [--name N] | keys list | keys revoke <id|name>\n'
  + '  in the database of $MICROMEGAS_SQL_CONNECTION_STRING, or the embedded one of $MICROMEGAS_DATA_DIR (stop `start` first)';

function row(key: ApiKeyInfo): string {
  const revoked = key.revokedAt === null ? '' : `revoked ${key.revokedAt.toISOString()}`;
  return `${key.id}  ${key.role.padEnd(6)}  ${key.createdAt.toISOString()}  ${key.name}  ${revoked}`.trimEnd();
}

/** The verb's arguments, checked: what to do to which key. */
type Action = { verb: 'create'; role: (typeof KEY_ROLES)[number]; name?: string } | { verb: 'list' } | { verb: 'revoke'; key: string };

function action(args: string[]): Action {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { role: { type: 'string' }, name: { type: 'string' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals: [verb, ...rest] } = parsed;
  const extra = (expected: number) => {
    if (rest.length !== expected) throw new UsageError(`keys ${verb}: expected ${expected === 0 ? 'no argument' : 'one key id or name'}`);
  };
  if (verb !== 'create' && (values.role !== undefined || values.name !== undefined)) throw new UsageError('--role and --name go with create');
  switch (verb) {
    case 'create':
      extra(0);
      if (values.role === undefined || !isKeyRole(values.role)) throw new UsageError(`--role must be one of ${KEY_ROLES.join(', ')}`);
      return { verb, role: values.role, ...(values.name === undefined ? {} : { name: values.name }) };
    case 'list':
      extra(0);
      return { verb };
    case 'revoke':
      extra(1);
      return { verb, key: rest[0]! };
    default:
      throw new UsageError(verb === undefined ? 'expected create, list or revoke' : `unknown keys command '${verb}'`);
  }
}

export const command: Command = {
  summary: 'create, list and revoke API keys (roles: ingest, query, admin)',
  usage: USAGE,
  async run(args) {
    const todo = action(args);
    let config;
    try {
      config = loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) { console.error(`micromegas keys: ${err.message}`); return 2; }
      throw err;
    }
    let metadata;
    try {
      metadata = await openMetadataStore(config.lake.metadata);
    } catch (err) {
      if (err instanceof DataDirLockedError) { console.error(`micromegas keys: ${err.message}`); return 1; }
      throw err;
    }
    try {
      const store = new ApiKeyStore(metadata);
      switch (todo.verb) {
        case 'create': {
          const created = await store.create(todo.role, todo.name);
          console.log(created.key);
          console.error(`micromegas keys: created '${created.name}' (${created.role}, id ${created.id}). `
            + 'This is the only time the key is shown: keep it now. A backend started without keys requires them from its next start.');
          return 0;
        }
        case 'list': {
          const keys = await store.list();
          for (const key of keys) console.log(row(key));
          if (keys.length === 0) console.error('micromegas keys: no key yet (micromegas keys create --role admin)');
          return 0;
        }
        case 'revoke': {
          const revoked = await store.revoke(todo.key);
          if (revoked === undefined) { console.error(`micromegas keys: no key with id or live name '${todo.key}'`); return 1; }
          console.log(row(revoked));
          console.error('micromegas keys: revoked; running backends refuse it once their key cache expires ($MICROMEGAS_API_KEY_CACHE_SECONDS, 5 s by default)');
          return 0;
        }
      }
    } catch (err) {
      if (err instanceof ApiKeyNameError) { console.error(`micromegas keys: ${err.message}`); return 1; }
      throw err;
    } finally {
      await metadata.close();
    }
  },
};
