import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testObjectBackends } from '../lake/object-store/test-stores.js';
import { PartitionFiles } from './partition-files.js';

describe('PartitionFiles over a remote store', () => {
  it('publishes to the store, serves local copies, and keeps the cache under its bound (LRU)', async () => {
    const os = await testObjectBackends.find((b) => b.name === 's3')!.open();
    const cacheDir = await mkdtemp(join(tmpdir(), 'mm-partition-cache-'));
    try {
      const files = new PartitionFiles(os.store, cacheDir, 2500, 0);
      const keys = [0, 1, 2].map((i) => PartitionFiles.key('log_entries', 'p/1', new Date(i * 60_000), new Date((i + 1) * 60_000)));
      assert.match(keys[0]!, /^views\/log_entries\/p%2F1\/0-60-[0-9a-f-]{36}\.parquet$/);
      assert.notEqual(PartitionFiles.key('log_entries', 'p/1', new Date(0), new Date(60_000)), keys[0], 'every build writes a new file');
      await files.ensureScratchDir();
      for (const [i, key] of keys.entries()) {
        const scratch = files.scratchPath(`s${i}`);
        await writeFile(scratch, Buffer.alloc(1000, i));
        assert.equal(await files.publish(key, scratch), 1000);
      }
      // Three 1000-byte files against a 2500-byte bound: the least recently used one went.
      assert.equal(files.cachedBytes, 2000);
      for (const key of keys) assert.equal((await os.store.get(key)).byteLength, 1000, 'every file is in the store');
      const path = await files.localPath(keys[0]!);
      assert.ok(path.startsWith(cacheDir));
      assert.deepEqual(await readFile(path), Buffer.alloc(1000, 0));
      assert.equal(files.cachedBytes, 2000);
      assert.deepEqual((await readdir(join(cacheDir, 'views/log_entries/p%2F1'))).sort(), [keys[0], keys[2]].map((k) => k!.split('/').pop()).sort());

      await files.delete(keys[0]!);
      assert.equal(await os.store.exists(keys[0]!), false);
      assert.equal(files.cachedBytes, 1000);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
      await os.drop();
    }
  });
});
