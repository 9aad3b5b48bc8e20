import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createContext, type ServiceContext } from './context.js';

let dataDir: string;
let context: ServiceContext;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mm-context-'));
  context = createContext(loadConfig({ MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_QUERY_MEMORY_LIMIT: '128MB' }));
});

after(async () => {
  await context.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ServiceContext.lakehouse', () => {
  it('opens one catalog and engine, however many callers ask at once, with the configured cache and memory bound', async () => {
    const [a, b] = await Promise.all([context.lakehouse(), context.lakehouse()]);
    assert.equal(a, b);
    assert.ok((await stat(join(dataDir, 'cache'))).isDirectory());
    const result = await a.engine.query(`SELECT current_setting('memory_limit') AS limit_, count(*) AS n FROM processes`);
    const rows = [];
    for await (const batch of result.batches) rows.push(...batch.toArray().map((r) => r.toJSON()));
    assert.deepEqual(rows, [{ limit_: '122.0 MiB', n: 0n }]);
  });

  it('closes the engine with the context', async () => {
    const scratch = createContext(loadConfig({ MICROMEGAS_DATA_DIR: join(dataDir, 'scratch') }));
    const { engine } = await scratch.lakehouse();
    await scratch.close();
    await assert.rejects(engine.query('SELECT 1'));
  });
});
