/**
 * `micromegas start` on embedded defaults (PGlite and a file store in the data dir): says where it
 * listens, ingests, and on SIGINT stops cleanly, keeping what it stored for the next start.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cbor, post, sampleBlock, sampleProcess, sampleStream } from './ingestion-fixtures.js';

const cli = new URL('../src/cli.js', import.meta.url);

async function startCli(dataDir: string) {
  const child = spawn(process.execPath, [cli.pathname, 'start', '--roles', 'ingestion'], {
    env: { ...process.env, MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    const match = /ingestion\s+listening on (http:\/\/\S+)/.exec(line);
    if (match) return { child, url: match[1]!, lines, exited, stderr: () => stderr };
  }
  throw new Error(`start printed no address: ${lines.join('\n')}\n${stderr}`);
}

describe('micromegas start', () => {
  it('serves ingestion on embedded defaults and stops on SIGINT', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mm-start-'));
    try {
      const first = await startCli(dataDir);
      assert.ok(first.lines.some((l) => l.includes(`PGlite in ${join(dataDir, 'pg')}`)), first.lines.join('\n'));
      assert.equal((await fetch(`${first.url}/ready`)).status, 200);
      const process_ = sampleProcess();
      const stream = sampleStream(process_);
      const block = sampleBlock(stream);
      assert.equal((await post(first.url, 'insert_process', cbor(process_))).status, 200);
      assert.equal((await post(first.url, 'insert_stream', cbor(stream))).status, 200);
      assert.equal((await post(first.url, 'insert_block', cbor(block))).status, 200);
      first.child.kill('SIGINT');
      assert.deepEqual(await first.exited, [0, null], first.stderr());
      assert.deepEqual(await readdir(join(dataDir, 'objects', 'blobs', process_.process_id, stream.stream_id)), [block.block_id]);

      // what was recorded survives a restart: the stream is known, so a new block is accepted
      const second = await startCli(dataDir);
      assert.equal((await post(second.url, 'insert_block', cbor(sampleBlock(stream)))).status, 200);
      // a second server on the same embedded database is refused, not allowed to corrupt it
      const third = spawn(process.execPath, [cli.pathname, 'start', '--roles', 'ingestion'], {
        env: { ...process.env, MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_INGESTION_PORT: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let thirdErr = '';
      third.stderr.on('data', (chunk) => { thirdErr += chunk; });
      assert.deepEqual(await once(third, 'exit'), [1, null]);
      assert.match(thirdErr, /is in use by process \d+/);
      second.child.kill('SIGTERM');
      assert.deepEqual(await second.exited, [0, null], second.stderr());
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown role with usage and exit code 2', async () => {
    const child = spawn(process.execPath, [cli.pathname, 'start', '--roles', 'nope'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(stderr, /unknown role 'nope'; known roles: .*ingestion/);
  });
});
