/**
 * Hostile bodies against a real ingestion service: how long each holds the server's event loop
 * (monitorEventLoopDelay in the server process) and how long /health waits meanwhile (asked every
 * 20 ms by a second process). Not a test: nothing here asserts.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '@micromegas/backend/config';
import { startServices } from '@micromegas/backend/service/services';
import { openObjectStore } from '@micromegas/backend/lake/object-store/open';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import { hostileBodies } from '../tests/hostile-bodies.js';

interface Sent { status: number; ms: number; healthMaxMs: number }

/** The client process: POSTs one body while asking /health, and reports. */
async function client(url: string, body: Uint8Array): Promise<Sent> {
  let healthMaxMs = 0;
  let done = false;
  const health = (async () => {
    while (!done) {
      const t = performance.now();
      await fetch(`${url}/health`).then((r) => r.arrayBuffer());
      healthMaxMs = Math.max(healthMaxMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t = performance.now();
  const response = await fetch(`${url}/ingestion/insert_block`, { method: 'POST', body });
  await response.arrayBuffer();
  const ms = performance.now() - t;
  done = true;
  await health;
  return { status: response.status, ms, healthMaxMs };
}

function send(url: string, body: Uint8Array): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['client', url], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: Sent) => { resolve(m); child.kill(); });
    child.once('error', reject);
    child.send(Buffer.from(body).toString('base64'));
  });
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-bench-hostile-'));
  const metadata = await openMetadataStore({ kind: 'pglite', dataDir: join(dir, 'pg') });
  const objects = openObjectStore(pathToFileURL(join(dir, 'objects')).href);
  const config = loadConfig({ MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent' });
  const services = await startServices(config, ['ingestion'], { metadata, objects });
  const url = services.running[0]!.url;
  const rows = [];
  try {
    for (const { name, body } of hostileBodies()) {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const sent = await send(url, body);
      delay.disable();
      rows.push({
        body: name, KiB: Math.round(body.byteLength / 1024), status: sent.status,
        'request ms': sent.ms.toFixed(0), 'loop blocked ms (max)': (delay.max / 1e6).toFixed(0), '/health max ms': sent.healthMaxMs.toFixed(0),
      });
      console.log(rows.at(-1));
    }
  } finally {
    await services.stop();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.table(rows);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'client') {
  process.once('message', (b64: string) => {
    void client(process.argv[3]!, Buffer.from(b64, 'base64')).then((r) => process.send!(r));
  });
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
