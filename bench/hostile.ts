/**
 * Hostile CBOR bodies: how long each holds the event loop, three ways in the same run.
 * - cbor-x alone, as ingestion decoded bodies before the CBOR check (the before);
 * - the CBOR check, then cbor-x (what ingestion does now);
 * - cbor-x in a worker thread (the alternative: the event loop only posts the body and receives the
 *   value; the worker's own time is shown beside it, as it is a worker a request can keep busy).
 * Then the cost of each way for an ordinary block envelope, the hostile bodies against a real
 * ingestion service (its loop measured by monitorEventLoopDelay, /health asked every 20 ms by a
 * second process), and the server's peak memory under many large bodies at once, with and without
 * the in-flight bound. Not a test: nothing here asserts.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { Encoder } from 'cbor-x';
import { BlockEncoder, decodeCbor, encodeCbor, Level } from '@micromegas/wire';
import { loadConfig } from '@micromegas/backend/config';
import { startServices } from '@micromegas/backend/service/services';
import { createHttpServer, listen } from '@micromegas/backend/service/http';
import { openObjectStore } from '@micromegas/backend/lake/object-store/open';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import { bignum, hostileBodies, type HostileBody } from '../tests/hostile-bodies.js';
import { startCli } from '../tests/cli-process.js';

/** The codec ingestion used before the check (the options of wire/src/cbor.ts). */
const unchecked = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });

/** Runs `work` and returns the longest event-loop block seen meanwhile (ms) and its wall time (ms). */
async function blocked(work: () => Promise<unknown>): Promise<{ loopMs: number; wallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // The histogram's first tick only starts its clock: let it tick before the work.
  await new Promise((r) => setTimeout(r, 10));
  const start = performance.now();
  await work();
  const wallMs = performance.now() - start;
  // One more turn, so that a block that ended with `work` is sampled.
  await new Promise((r) => setTimeout(r, 5));
  delay.disable();
  return { loopMs: delay.max / 1e6, wallMs };
}

/** Decodes on the main thread; a refused body counts as done. */
const onLoop = (decode: (b: Uint8Array) => unknown, body: Uint8Array) => blocked(async () => {
  await new Promise((r) => setImmediate(r));
  try { decode(body); } catch { /* refused or invalid: still the time it took */ }
});

/** A worker decoding with cbor-x alone, as the alternative would. */
class DecodeWorker {
  readonly #worker = new Worker(fileURLToPath(import.meta.url));
  decode(body: Uint8Array): Promise<unknown> {
    const copy = Uint8Array.prototype.slice.call(body); // a copy even of a Buffer, whose slice() is a view
    return new Promise((resolve) => {
      this.#worker.once('message', resolve);
      this.#worker.postMessage(copy, [copy.buffer]);
    });
  }
  close(): Promise<number> {
    return this.#worker.terminate();
  }
}

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 0);

async function decodeTable(worker: DecodeWorker): Promise<void> {
  const rows = [];
  for (const { name, body } of hostileBodies()) {
    const before = await onLoop((b) => unchecked.decode(b), body);
    const after = await onLoop((b) => decodeCbor(b), body);
    const off = await blocked(() => worker.decode(body));
    rows.push({
      body: name, KiB: Math.round(body.byteLength / 1024),
      'cbor-x alone: loop ms': ms(before.loopMs),
      'check + cbor-x: loop ms': ms(after.loopMs),
      'worker: loop ms': ms(off.loopMs), 'worker: busy ms': ms(off.wallMs),
      'alone / check': `${(before.loopMs / Math.max(after.loopMs, 0.01)).toFixed(0)}x`,
    });
  }
  console.log('Event-loop block (max, monitorEventLoopDelay at 1 ms resolution) while decoding each body once:');
  console.table(rows);
}

/** An ordinary block envelope: 2000 log events, as the SDK sends them. */
function ordinaryEnvelope(): Uint8Array {
  const encoder = new BlockEncoder(0);
  for (let i = 0; i < 2000; i++) encoder.log(i * 1000, Level.Info, 'game::loop', `frame ${i} done in ${i % 17} ms`);
  return encodeCbor({
    block_id: 'b', stream_id: 's', process_id: 'p', begin_time: '2026-11-23T12:00:00Z', begin_ticks: 0,
    end_time: '2026-11-23T12:00:01Z', end_ticks: 2_000_000, payload: encoder.finish(), object_offset: 0, nb_objects: 2000,
  });
}

async function ordinaryTable(worker: DecodeWorker): Promise<void> {
  const body = ordinaryEnvelope();
  const rounds = 5000;
  const time = async (run: () => unknown | Promise<unknown>) => {
    for (let i = 0; i < 200; i++) await run(); // warm-up
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < rounds; i++) await run();
    const used = process.cpuUsage(cpu);
    return { us: (performance.now() - start) * 1000 / rounds, cpuUs: (used.user + used.system) / rounds };
  };
  const alone = await time(() => unchecked.decode(body));
  const checked = await time(() => decodeCbor(body));
  const off = await time(() => worker.decode(body));
  const row = (way: string, t: { us: number; cpuUs: number }) => ({
    way, 'µs per body': t.us.toFixed(1), 'CPU µs per body (all threads)': t.cpuUs.toFixed(1), 'vs cbor-x alone': `${(t.us / alone.us).toFixed(2)}x`,
  });
  console.log(`An ordinary block envelope (${body.byteLength} bytes, 2000 log events), decoded ${rounds} times one after the other:`);
  console.table([row('cbor-x alone (before)', alone), row('check + cbor-x (now)', checked), row('worker round trip', off)]);
}

interface Sent { name: string; bytes: number; status: number; ms: number; healthMaxMs: number }
/** Which body the client sends (an entry of the catalogue, or a bignum of that many bytes), and where. */
type Order = ({ index: number } | { bignumBytes: number }) & { url: string; label?: string };

let catalogue: HostileBody[] | undefined;

function ordered(order: Order): HostileBody {
  if ('bignumBytes' in order) return { name: `bignum tag 2, ${order.bignumBytes >> 20} MiB${order.label ?? ''}`, body: bignum(order.bignumBytes) };
  catalogue ??= hostileBodies();
  return catalogue[order.index]!;
}

/** The client process: POSTs one body (built here, so the server process does none of it) while asking /health. */
async function client(order: Order): Promise<Sent> {
  const { url } = order;
  const { name, body } = ordered(order);
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
  return { name, bytes: body.byteLength, status: response.status, ms, healthMaxMs };
}

async function serverTable(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-bench-hostile-'));
  const metadata = await openMetadataStore({ kind: 'pglite', dataDir: join(dir, 'pg') });
  const objects = openObjectStore(pathToFileURL(join(dir, 'objects')).href);
  const config = loadConfig({ MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent' });
  const services = await startServices(config, ['ingestion'], { metadata, objects });
  const url = services.running[0]!.url;
  // The reference: the same transport reading a body and storing nothing (what receiving it costs).
  const httpOnly = createHttpServer('silent');
  httpOnly.removeAllContentTypeParsers();
  httpOnly.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 100 << 20 }, (_r, body, done) => done(null, body));
  httpOnly.post('/ingestion/insert_block', async (_request, reply) => reply.code(200).send());
  httpOnly.get('/health', async () => ({ status: 'ok' }));
  const reference = await listen('http-only', httpOnly, { host: '127.0.0.1', port: 0 });
  // One client process for all bodies: spawning one blocks this process's loop for a while.
  const child = fork(fileURLToPath(import.meta.url), ['client'], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const send = (order: Order) => new Promise<Sent>((resolve) => { child.once('message', resolve); child.send(order); });
  const rows = [];
  try {
    // The noise floor of this machine: the same measure over 300 ms in which nothing is sent.
    const idle = await blocked(() => new Promise((r) => setTimeout(r, 300)));
    rows.push({ body: '(nothing sent, 300 ms)', KiB: 0, status: 0, 'request ms': '', 'loop blocked ms (max)': ms(idle.loopMs), '/health max ms': '' });
    // 1 MiB: over 16 minutes before the check; 16 MiB: what the default body cap lets through many times over.
    const orders: Order[] = [
      ...hostileBodies().map((_, index) => ({ index, url })), { bignumBytes: 1 << 20, url }, { bignumBytes: 16 << 20, url },
      { bignumBytes: 16 << 20, url: reference.url, label: ' to HTTP only (reads the body, stores nothing)' },
    ];
    for (const order of orders) {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      await new Promise((r) => setTimeout(r, 10));
      const sent = await send(order);
      delay.disable();
      rows.push({
        body: sent.name, KiB: Math.round(sent.bytes / 1024), status: sent.status,
        'request ms': ms(sent.ms), 'loop blocked ms (max)': ms(delay.max / 1e6), '/health max ms': ms(sent.healthMaxMs),
      });
    }
  } finally {
    child.kill();
    await reference.stop();
    await services.stop();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log('Against an ingestion service (PGlite + file://), one body at a time:');
  console.table(rows);
}

/** Peak resident memory of a process (VmHWM, Linux), in MiB. */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * Many large bodies at once against `micromegas start --roles ingestion` (PGlite + file://): every
 * sender retries a 503 after its Retry-After, as the SDK does, until all are stored; the server's
 * peak memory with the in-flight bound (default) and without it (before).
 */
async function memoryTable(): Promise<void> {
  const SENDERS = 16;
  const MIB = 1 << 20;
  const BODY_MIB = 32;
  const rows = [];
  for (const [name, bound] of [['no bound (before)', String(Number.MAX_SAFE_INTEGER)], ['default bound (256 MiB)', undefined]] as const) {
    const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-bodies-'));
    const server = await startCli(dataDir, ['--roles', 'ingestion'], {
      MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(64 * MIB), ...(bound === undefined ? {} : { MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES: bound }),
    });
    try {
      const url = server.address('ingestion');
      const processInfo = { process_id: randomUUID(), exe: 'bench', username: 'b', realname: 'b', computer: 'b', distro: 'b', cpu_brand: 'b',
        tsc_frequency: 1e9, start_time: '2026-11-23T12:00:00Z', start_ticks: 0, parent_process_id: '', properties: {} };
      const stream = { stream_id: randomUUID(), process_id: processInfo.process_id, dependencies_metadata: new Uint8Array(), objects_metadata: new Uint8Array(), tags: ['log'], properties: {} };
      await fetch(`${url}/ingestion/insert_process`, { method: 'POST', body: encodeCbor(processInfo) });
      await fetch(`${url}/ingestion/insert_stream`, { method: 'POST', body: encodeCbor(stream) });
      const baseline = await peakRssMiB(server.pid);
      let refusals = 0;
      const start = performance.now();
      await Promise.all(Array.from({ length: SENDERS }, async (_, i) => {
        const body = encodeCbor({
          block_id: randomUUID(), stream_id: stream.stream_id, process_id: processInfo.process_id,
          begin_time: '2026-11-23T12:00:00Z', begin_ticks: 0, end_time: '2026-11-23T12:00:01Z', end_ticks: 1,
          payload: { dependencies: new Uint8Array(16), objects: new Uint8Array(BODY_MIB * MIB).fill(i) }, object_offset: 0, nb_objects: 1,
        });
        for (;;) {
          const response = await fetch(`${url}/ingestion/insert_block`, { method: 'POST', body });
          await response.arrayBuffer();
          if (response.status === 200) return;
          if (response.status !== 503) throw new Error(`${name}: ${response.status}`);
          refusals++;
          await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000));
        }
      }));
      rows.push({
        server: name, senders: SENDERS, 'MiB each': BODY_MIB, 'all stored in s': ((performance.now() - start) / 1000).toFixed(1),
        '503 then retried': refusals, 'peak RSS MiB': (await peakRssMiB(server.pid)).toFixed(0), 'RSS before MiB': baseline.toFixed(0),
      });
    } finally {
      await server.stop('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`${SENDERS} senders of ${BODY_MIB} MiB block bodies at once, retrying each 503 after its Retry-After:`);
  console.table(rows);
}

export async function run(): Promise<void> {
  const worker = new DecodeWorker();
  try {
    await decodeTable(worker);
    await ordinaryTable(worker);
  } finally {
    await worker.close();
  }
  await serverTable();
  await memoryTable();
}

if (!isMainThread) {
  parentPort!.on('message', (body: Uint8Array) => {
    let value: unknown;
    try { value = unchecked.decode(body); } catch (err) { value = String(err); }
    parentPort!.postMessage(value);
  });
} else if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'client') {
  process.on('message', (order: Order) => {
    void client(order).then((r) => process.send!(r));
  });
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
