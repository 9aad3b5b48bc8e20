/**
 * `micromegas start` on embedded defaults (PGlite and a file store in the data dir): says where it
 * listens, ingests, and on SIGINT stops cleanly, keeping what it stored for the next start.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cbor, post, sampleBlock, sampleProcess, sampleStream } from './ingestion-fixtures.js';
import { runCli, startCli } from './cli-process.js';

describe('micromegas start', () => {
  it('serves ingestion on embedded defaults and stops on SIGINT', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mm-start-'));
    try {
      const first = await startCli(dataDir, ['--roles', 'ingestion']);
      const url = first.address('ingestion');
      assert.ok(first.lines.some((l) => l.includes(`PGlite in ${join(dataDir, 'pg')}`)), first.lines.join('\n'));
      assert.equal((await fetch(`${url}/ready`)).status, 200);
      const process_ = sampleProcess();
      const stream = sampleStream(process_);
      const block = sampleBlock(stream);
      assert.equal((await post(url, 'insert_process', cbor(process_))).status, 200);
      assert.equal((await post(url, 'insert_stream', cbor(stream))).status, 200);
      assert.equal((await post(url, 'insert_block', cbor(block))).status, 200);
      assert.deepEqual(await first.stop('SIGINT'), [0, null], first.stderr());
      // the block's payload is in a pack of its own (it came alone)
      const packs = await readdir(join(dataDir, 'objects', 'packs'), { recursive: true, withFileTypes: true });
      assert.equal(packs.filter((entry) => entry.isFile()).length, 1);

      // a write cut short by a crash leaves a temporary file in the directory of its (now gone) process
      const tmp = join(dataDir, 'objects', '.tmp');
      const crashed = join(tmp, `${first.pid}@${hostname()}.0123abcd`);
      await mkdir(crashed, { recursive: true });
      await writeFile(join(crashed, 'f0e1d2c3-partial-block'), 'partial');

      // what was recorded survives a restart: the stream is known, so a new block is accepted
      const second = await startCli(dataDir, ['--roles', 'ingestion']);
      assert.equal((await post(second.address('ingestion'), 'insert_block', cbor(sampleBlock(stream)))).status, 200);
      // and what the crash left is gone (a store's first write waits for its sweep)
      assert.deepEqual((await readdir(tmp)).filter((name) => name.startsWith(`${first.pid}@`)), []);
      // a second server on the same embedded database is refused, not allowed to corrupt it
      const third = await runCli(['start', '--roles', 'ingestion'], { MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_INGESTION_PORT: '0' });
      assert.deepEqual(third.exit, [1, null]);
      assert.match(third.stderr, /is in use by process \d+/);
      assert.deepEqual(await second.stop('SIGTERM'), [0, null], second.stderr());
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown role with usage and exit code 2', async () => {
    const { exit, stderr } = await runCli(['start', '--roles', 'nope']);
    assert.deepEqual(exit, [2, null]);
    assert.match(stderr, /unknown role 'nope'; known roles: .*ingestion/);
  });
});
