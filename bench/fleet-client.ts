/**
 * A client process of the fleet benchmark: simulates its share of the game processes, each sending
 * its three blocks once a second at its own phase, through keep-alive HTTP like the SDK's sender
 * (one connection per process): in one insert_blocks request, as the SDK sends a flush's blocks, or
 * (`batch` false) one insert_block request each, as SDKs did before.
 * Reports what was sent, the ingest latency (request issued → answered, agent queueing included)
 * and its own CPU time, counting only after the warm-up.
 */
import { Agent, request } from 'node:http';
import { encodeCbor, encodeCborArray } from '@micromegas/wire';
import { SimulatedProcess } from './fleet-blocks.js';

export interface ClientJob {
  url: string;
  /** Indexes [first, first + count) of a fleet of `fleetSize`, which spreads phases over the second. */
  first: number;
  count: number;
  fleetSize: number;
  warmupSeconds: number;
  seconds: number;
  /** A process's blocks of a second in one insert_blocks request, else a request each. */
  batch: boolean;
}

export interface ClientReport {
  blocks: number;
  events: number;
  failures: number;
  /** Sends issued more than 200 ms after their due time: the client, not the backend, fell behind. */
  lateSends: number;
  latenciesMs: number[];
  cpuSeconds: number;
}

/** Registrations in flight at once. */
const REGISTER_CONCURRENCY = 64;
const LATE_MS = 200;
const LATENCY_SAMPLES = 20_000;

function post(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; answer: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/cbor', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, answer: Buffer.concat(chunks).toString() }));
    });
    req.on('error', () => resolve({ status: 0, answer: '' }));
    req.end(body);
  });
}

/** Which of a request's `count` blocks were stored: insert_blocks answers for each. */
function storedBlocks(status: number, answer: string, count: number, batch: boolean): boolean[] {
  if (status !== 200) return Array.from({ length: count }, () => false);
  if (!batch) return [true];
  const { results } = JSON.parse(answer) as { results: { statusCode: number }[] };
  return results.map((r) => r.statusCode === 200);
}

async function register(agent: Agent, base: string, p: SimulatedProcess): Promise<void> {
  const send = async (path: string, envelope: unknown) => {
    const { status } = await post(agent, new URL(`/ingestion/${path}`, base), encodeCbor(envelope));
    if (status !== 200) throw new Error(`${path}: HTTP ${status}`);
  };
  await send('insert_process', p.process);
  for (const stream of p.streams) await send('insert_stream', stream);
}

interface Registered {
  agent: Agent;
  target: URL;
  processes: SimulatedProcess[];
}

async function registerAll(job: ClientJob): Promise<Registered> {
  // A connection per simulated process, as a fleet has: a shared pool would cap the blocks in flight
  // and turn any added server latency into lost throughput.
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, job.count) });
  const target = new URL(job.batch ? '/ingestion/insert_blocks' : '/ingestion/insert_block', job.url);
  const registeredMs = Date.now();
  const phaseMs = (i: number) => (i * 1000) / job.fleetSize;
  const processes = Array.from({ length: job.count }, (_, j) => new SimulatedProcess(job.first + j, registeredMs + phaseMs(job.first + j)));
  for (let i = 0; i < processes.length; i += REGISTER_CONCURRENCY) {
    await Promise.all(processes.slice(i, i + REGISTER_CONCURRENCY).map((p) => register(agent, job.url, p)));
  }
  return { agent, target, processes };
}

/** Sends the fleet's blocks from `goMs` on (the first second that ends after it) until warm-up + `seconds`. */
async function drive(job: ClientJob, { agent, target, processes }: Registered, goMs: number): Promise<ClientReport> {

  const report: ClientReport = { blocks: 0, events: 0, failures: 0, lateSends: 0, latenciesMs: [], cpuSeconds: 0 };
  const measureFrom = goMs + job.warmupSeconds * 1000;
  const endMs = measureFrom + job.seconds * 1000;
  const nextSecond = processes.map((p) => Math.max(0, Math.ceil((goMs - p.startMs) / 1000) - 1));
  let cpuStart: NodeJS.CpuUsage | undefined;
  let seen = 0;
  const inFlight = new Set<Promise<void>>();

  const sendBlocks = (p: SimulatedProcess, k: number, dueMs: number, counted: boolean) => {
    if (counted && Date.now() - dueMs > LATE_MS) report.lateSends++;
    const blocks = p.blocksOf(k);
    const requests = job.batch ? [blocks] : blocks.map((block) => [block]);
    for (const sent of requests) {
      const body = job.batch ? encodeCborArray(sent.map((b) => b.body)) : sent[0]!.body;
      const started = performance.now();
      const done = post(agent, target, body).then(({ status, answer }) => {
        if (!counted) return;
        const stored = storedBlocks(status, answer, sent.length, job.batch);
        sent.forEach((block, i) => {
          if (!stored[i]) { report.failures++; return; }
          report.blocks++;
          report.events += block.events;
        });
        if (!stored.includes(true)) return;
        // Reservoir sampling keeps the percentiles honest without holding every latency.
        const ms = performance.now() - started;
        if (report.latenciesMs.length < LATENCY_SAMPLES) report.latenciesMs.push(ms);
        else { const r = Math.floor(Math.random() * ++seen); if (r < LATENCY_SAMPLES) report.latenciesMs[r] = ms; }
      });
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      if (cpuStart === undefined && now >= measureFrom) cpuStart = process.cpuUsage();
      if (now >= endMs) { clearInterval(timer); resolve(); return; }
      processes.forEach((p, j) => {
        // Second k of process p ends, and is sent, at its start + (k + 1) s.
        const dueMs = p.startMs + (nextSecond[j]! + 1) * 1000;
        if (now < dueMs) return;
        sendBlocks(p, nextSecond[j]!, dueMs, dueMs >= measureFrom);
        nextSecond[j]!++;
      });
    }, 10);
  });
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuStart);
  report.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  agent.destroy();
  return report;
}

/** The parent sends the job, waits for every client's `registered`, then sends `go` with the common start. */
if (process.send !== undefined && process.argv[2] === 'fleet-client') {
  process.once('message', (job: ClientJob) => {
    void registerAll(job).then((registered) => {
      process.once('message', ({ goMs }: { goMs: number }) => {
        void drive(job, registered, goMs).then((report) => process.send!(report, () => process.disconnect()));
      });
      process.send!({ registered: true });
    });
  });
}
