/**
 * Ingestion throughput: a second process on loopback POSTs pre-encoded blocks of a game-like
 * workload (nested frame spans, a measure per frame, a log every second) as fast as the server
 * accepts them. The server runs here, so its CPU time (HTTP, checks, PGlite, file writes; plus the
 * PostgreSQL backends serving it, read from /proc) gives the per-core figure. Alternatives in the same run: real PostgreSQL
 * instead of PGlite, PGlite with an API key required on every request, and the same HTTP route
 * storing nothing (the ceiling the transport sets).
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BlockEncoder, encodeCbor, Level, type Block, type BlockPayload, type MetricDescriptor, type SpanDescriptor } from '@micromegas/wire';
import { loadConfig } from '@micromegas/backend/config';
import { createHttpServer, listen } from '@micromegas/backend/service/http';
import { startServices } from '@micromegas/backend/service/services';
import { TEST_POSTGRES_URL } from '@micromegas/backend/lake/metadata/test-stores';
import { openObjectStore } from '@micromegas/backend/lake/object-store/open';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import { generateApiKey } from '@micromegas/backend/auth/api-key';
import { processCpuSeconds } from './proc-stats.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENCY = 8;
const FRAMES_PER_BLOCK = 600; // ten seconds at 60 frames/s
const DISTINCT_PAYLOADS = 16;

const frameSpans: SpanDescriptor[] = ['frame', 'update', 'physics', 'ai', 'render', 'present']
  .map((name, line) => ({ name, target: 'game::loop', filename: 'game.ts', line: 10 + line }));
const frameTime: MetricDescriptor = { name: 'frame_time', unit: 'ns', target: 'game::loop' };

/** One block of a thread stream: 600 frames of 6 nested spans, a frame-time measure, a log per second. */
function gamePayload(seed: number): { payload: BlockPayload; events: number } {
  const encoder = new BlockEncoder(0);
  let ticks = seed;
  for (let frame = 0; frame < FRAMES_PER_BLOCK; frame++) {
    const start = ticks;
    encoder.spanBegin(ticks, frameSpans[0]!);
    for (const span of frameSpans.slice(1)) {
      encoder.spanBegin(ticks += 1000 + (frame * 7919 + seed) % 50_000, span);
      encoder.spanEnd(ticks += 100_000 + (frame * 104_729) % 2_000_000, span);
    }
    encoder.spanEnd(ticks += 3000, frameSpans[0]!);
    encoder.intMeasure(ticks, frameTime, ticks - start);
    if (frame % 60 === 0) encoder.log(ticks, Level.Info, 'game::loop', `frame ${frame} done`);
    ticks = start + 16_666_667;
  }
  return { payload: encoder.finish(), events: encoder.count };
}

interface LoadResult { blocks: number; events: number; bytes: number; seconds: number; failures: number }

/** A pre-encoded block envelope whose block_id (36 ASCII bytes at `idOffset`) is rewritten per send. */
interface Template { body: Buffer; idOffset: number; events: number }

/** Encoding happens once; each send only stamps a fresh block id (a resend would be deduplicated). */
function encodeTemplates(processId: string, streamId: string): Template[] {
  return Array.from({ length: DISTINCT_PAYLOADS }, (_, i) => {
    const { payload, events } = gamePayload(i);
    const placeholder = randomUUID();
    const block: Block = {
      block_id: placeholder, stream_id: streamId, process_id: processId,
      begin_time: '2026-11-23T12:00:00.000000000Z', begin_ticks: 0,
      end_time: '2026-11-23T12:00:10.000000000Z', end_ticks: 10_000_000_000,
      payload, object_offset: i * events, nb_objects: events,
    };
    const body = encodeCbor(block);
    return { body, idOffset: body.indexOf(placeholder, 0, 'latin1'), events };
  });
}

/** The load process: POSTs blocks with CONCURRENCY requests in flight until `seconds` pass. */
async function load(url: string, templates: Template[], seconds: number, apiKey: string): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL('/ingestion/insert_block', url);
  const auth = authorization(apiKey);
  const post = (body: Buffer) => new Promise<number>((resolve, reject) => {
    const req = request(target, { method: 'POST', agent, headers: { ...auth, 'content-type': 'application/cbor', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
  let next = 0;
  const result: LoadResult = { blocks: 0, events: 0, bytes: 0, seconds: 0, failures: 0 };
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < deadline) {
      const { body: template, idOffset, events } = templates[next++ % templates.length]!;
      const body = Buffer.from(template);
      body.write(randomUUID(), idOffset, 'latin1');
      if (await post(body) === 200) {
        result.blocks++;
        result.events += events;
        result.bytes += body.length;
      } else {
        result.failures++;
      }
    }
  }));
  result.seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return result;
}

const authorization = (apiKey: string): Record<string, string> => (apiKey === '' ? {} : { authorization: `Bearer ${apiKey}` });

/** CPU seconds used so far by processes outside this one that serve it (PostgreSQL backends). */
type ExternalCpu = () => Promise<number>;

/** Runs the load process against `url`, measuring the server's CPU time meanwhile. */
function drive(url: string, processId: string, streamId: string, apiKey: string, externalCpu?: ExternalCpu): Promise<LoadResult & { serverCpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['load', url, processId, streamId, String(SECONDS), apiKey], { stdio: 'inherit' });
    let cpuStart: NodeJS.CpuUsage | undefined;
    let externalStart = 0;
    child.on('message', (message: { ready?: true } & Partial<LoadResult>) => {
      void (async () => {
        if (message.ready) {
          externalStart = await externalCpu?.() ?? 0;
          cpuStart = process.cpuUsage();
          return;
        }
        const cpu = process.cpuUsage(cpuStart);
        const external = (await externalCpu?.() ?? 0) - externalStart;
        resolve({ ...(message as LoadResult), serverCpuSeconds: (cpu.user + cpu.system) / 1e6 + external });
      })().catch(reject);
    });
    child.on('error', reject);
    child.on('exit', (code) => { if (code !== 0) reject(new Error(`load process exited with ${code}`)); });
  });
}

async function registerStream(url: string, apiKey: string): Promise<{ processId: string; streamId: string }> {
  const processId = randomUUID();
  const streamId = randomUUID();
  const send = async (path: string, envelope: unknown) => {
    const response = await fetch(`${url}/ingestion/${path}`, { method: 'POST', headers: authorization(apiKey), body: encodeCbor(envelope) });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  };
  await send('insert_process', {
    process_id: processId, exe: 'bench', username: 'bench', realname: 'bench', computer: 'bench', distro: 'linux',
    cpu_brand: 'cpu', tsc_frequency: 1_000_000_000, start_time: '2026-11-23T12:00:00Z', start_ticks: 0,
    parent_process_id: '', properties: {},
  });
  await send('insert_stream', {
    stream_id: streamId, process_id: processId, dependencies_metadata: new Uint8Array(), objects_metadata: new Uint8Array(),
    tags: ['cpu'], properties: { 'thread-name': 'main' },
  });
  return { processId, streamId };
}

interface Server {
  url: string;
  stop(): Promise<void>;
  /** Preregistered ids (the HTTP-only server checks none). */
  ids?: { processId: string; streamId: string };
  externalCpu?: ExternalCpu;
  /** Sent with every request when the server requires keys. */
  apiKey?: string;
}

interface Row { server: string; 'events/s': string; 'MB/s': string; 'blocks/s': string; 'events/s per core': string; 'server cores': string; 'vs HTTP only': string }

async function measure(name: string, start: () => Promise<Server>): Promise<LoadResult & { serverCpuSeconds: number; name: string }> {
  const server = await start();
  try {
    const apiKey = server.apiKey ?? '';
    const ids = server.ids ?? await registerStream(server.url, apiKey);
    const result = await drive(server.url, ids.processId, ids.streamId, apiKey, server.externalCpu);
    if (result.failures > 0) throw new Error(`${name}: ${result.failures} requests failed`);
    return { ...result, name };
  } finally {
    await server.stop();
  }
}

async function ingestionOn(store: MetadataStore, dir: string, apiKey?: string): Promise<Server> {
  const config = loadConfig({ MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent', ...(apiKey ? { MICROMEGAS_ADMIN_KEY: apiKey } : {}) });
  const objects = openObjectStore(pathToFileURL(join(dir, 'objects')).href);
  const services = await startServices(config, ['ingestion'], { metadata: store, objects });
  return { url: services.running[0]!.url, ...(apiKey ? { apiKey } : {}), async stop() { await services.stop(); await store.close(); } };
}

/** Ingestion on the local PostgreSQL, in a schema of its own; its backends' CPU counts as the server's. */
async function ingestionOnPostgres(dir: string): Promise<Server> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const application = `micromegas-bench-${schema}`;
  const store = await openMetadataStore({ kind: 'postgres', connectionString: `${TEST_POSTGRES_URL}?application_name=${application}`, schema });
  const server = await ingestionOn(store, dir);
  return {
    url: server.url,
    async externalCpu() {
      const backends = await store.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [application]);
      const seconds = await Promise.all(backends.map(({ pid }) => processCpuSeconds(pid)));
      return seconds.reduce((a, b) => a + b, 0);
    },
    async stop() {
      await store.query(`DROP SCHEMA ${schema} CASCADE`);
      await server.stop();
    },
  };
}

/** The same transport with nothing behind it: reads the body and answers 200. */
async function httpOnly() {
  const app = createHttpServer('silent');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 100 * 1024 * 1024 }, (_r, body, done) => done(null, body));
  app.post('/ingestion/insert_block', async (_request, reply) => reply.code(200).send());
  const running = await listen('http-only', app, { host: '127.0.0.1', port: 0 });
  return { url: running.url, stop: running.stop, ids: { processId: 'p', streamId: 's' } };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-bench-ingestion-'));
  try {
    const results = [
      await measure('HTTP only (no storage)', httpOnly),
      await measure('PGlite + file://', async () => ingestionOn(await openMetadataStore({ kind: 'pglite', dataDir: join(dir, 'pg') }), join(dir, 'a'))),
      await measure('PGlite + file://, API key required', async () =>
        ingestionOn(await openMetadataStore({ kind: 'pglite', dataDir: join(dir, 'pg-keys') }), join(dir, 'c'), generateApiKey())),
      await measure('PostgreSQL + file://', () => ingestionOnPostgres(join(dir, 'b'))),
    ];
    const ceiling = results[0]!.events / results[0]!.seconds;
    const sample = gamePayload(0);
    console.log(`load: ${CONCURRENCY} concurrent keep-alive POSTs from a second process for ${SECONDS} s; `
      + `blocks of ${sample.events} events (${FRAMES_PER_BLOCK} game frames), `
      + `${((sample.payload.objects.length + sample.payload.dependencies.length) / sample.events).toFixed(2)} payload bytes/event`);
    console.table(results.map((r): Row => {
      const rate = r.events / r.seconds;
      return {
        server: r.name,
        'events/s': `${(rate / 1e6).toFixed(2)} M`,
        'MB/s': (r.bytes / r.seconds / 1e6).toFixed(1),
        'blocks/s': (r.blocks / r.seconds).toFixed(0),
        'events/s per core': `${(r.events / r.serverCpuSeconds / 1e6).toFixed(2)} M`,
        'server cores': (r.serverCpuSeconds / r.seconds).toFixed(2),
        'vs HTTP only': `${(rate / ceiling).toFixed(2)}x`,
      };
    }));
    console.log('server cores: CPU time of this process (HTTP, checks, PGlite, file writes) plus, for PostgreSQL, its backends; '
      + 'target: >= 2 M events/s per core');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'load') {
  const [url, processId, streamId, seconds, apiKey] = process.argv.slice(3) as [string, string, string, string, string];
  const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  const templates = encodeTemplates(processId, streamId);
  await send({ ready: true });
  await send(await load(url, templates, Number(seconds), apiKey));
  process.disconnect();
}
