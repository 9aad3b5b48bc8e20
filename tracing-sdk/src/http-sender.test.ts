import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeCbor, encodeCbor } from '@micromegas/wire';
import { HttpSender } from './http-sender.js';
import { DeliveryQueue, Priority, type Item } from './queue.js';

interface Request {
  path: string;
  /** The decoded body: an envelope, or an array of them for insert_blocks. */
  body: unknown;
}

type Answer = { status: number; json?: unknown };

const BLOCK = '/ingestion/insert_block';
const BLOCKS = '/ingestion/insert_blocks';

function block(n: number, priority = Priority.Logs): Item {
  return { priority, path: BLOCK, body: encodeCbor({ n }), events: 1 };
}

/** Answers insert_blocks with `statuses(n)` for each block `{ n }`, anything else 200. */
function perBlock(statuses: (n: number) => number): (request: Request) => Answer {
  return ({ path, body }) => path === BLOCKS
    ? { status: 200, json: { results: (body as { n: number }[]).map(({ n }) => ({ statusCode: statuses(n) })) } }
    : { status: statuses((body as { n: number }).n) };
}

const storeAll = perBlock(() => 200);

/** A scripted ingestion service: `answer` decides each response; every request is kept. */
class ScriptedService {
  readonly requests: Request[] = [];
  answer: (request: Request) => Answer = storeAll;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '', body: decodeCbor(Buffer.concat(chunks)) };
      this.requests.push(request);
      const { status, json } = this.answer(request);
      res.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? '' : JSON.stringify(json));
    });
  });

  async start(): Promise<URL> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}


describe('HttpSender', () => {
  const service = new ScriptedService();
  let url: URL;
  before(async () => { url = await service.start(); });
  after(() => service.stop());
  beforeEach(() => {
    service.requests.length = 0;
    service.answer = storeAll;
  });

  async function deliver(items: Item[]): Promise<{ queue: DeliveryQueue; sender: HttpSender; delivered: boolean }> {
    const queue = new DeliveryQueue(1 << 20);
    const sender = new HttpSender(url, queue, () => {});
    for (const item of items) queue.push(item);
    const delivered = await sender.drain(Date.now() + 10_000);
    sender.close();
    return { queue, sender, delivered };
  }

  it('sends metadata alone and first, then the queued blocks in one insert_blocks request, by priority', async () => {
    const meta: Item = { priority: Priority.Metadata, path: '/ingestion/insert_stream', body: encodeCbor({ stream: 1 }), events: 0 };
    const { sender, delivered } = await deliver([block(1, Priority.Spans), meta, block(2, Priority.Metrics), block(3)]);
    assert.ok(delivered);
    assert.deepEqual(service.requests, [
      { path: '/ingestion/insert_stream', body: { stream: 1 } },
      { path: BLOCKS, body: [{ n: 3 }, { n: 2 }, { n: 1 }] },
    ]);
    assert.deepEqual(sender.stats, { sent: 4, rejected: 0, failures: 0 });
  });

  it('sends a lone block to insert_block', async () => {
    await deliver([block(1)]);
    assert.deepEqual(service.requests, [{ path: BLOCK, body: { n: 1 } }]);
  });

  it('settles each block by its own result: drops refused ones, retries only the 5xx, 401 and 403 ones', async () => {
    const fails = new Map([[2, 409], [3, 503], [4, 401], [5, 422]]);
    service.answer = perBlock((n) => {
      const status = fails.get(n) ?? 200;
      if (status >= 500 || status === 401) fails.delete(n); // fixed by the retry
      return status;
    });
    const { queue, sender, delivered } = await deliver([1, 2, 3, 4, 5].map((n) => block(n)));
    assert.ok(delivered);
    assert.equal(queue.size, 0);
    assert.deepEqual(service.requests.map((r) => r.body), [[{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }], [{ n: 3 }, { n: 4 }]]);
    assert.deepEqual(sender.stats, { sent: 3, rejected: 2, failures: 1 });
  });

  it('retries every block of a request that failed whole (5xx, or a 200 without results)', async () => {
    const answers: Answer[] = [{ status: 503 }, { status: 200, json: { ok: true } }];
    service.answer = (request) => answers.shift() ?? storeAll(request);
    const { sender, delivered } = await deliver([block(1), block(2)]);
    assert.ok(delivered);
    assert.equal(service.requests.length, 3);
    assert.deepEqual(service.requests.map((r) => r.body), [[{ n: 1 }, { n: 2 }], [{ n: 1 }, { n: 2 }], [{ n: 1 }, { n: 2 }]]);
    assert.deepEqual(sender.stats, { sent: 2, rejected: 0, failures: 2 });
  });

  it('falls back to one block a request for good when the service has no insert_blocks (404)', async () => {
    service.answer = ({ path }) => ({ status: path === BLOCKS ? 404 : 200 });
    const queue = new DeliveryQueue(1 << 20);
    const sender = new HttpSender(url, queue, () => {});
    for (const n of [1, 2]) queue.push(block(n));
    assert.ok(await sender.drain(Date.now() + 10_000));
    for (const n of [3, 4]) queue.push(block(n));
    assert.ok(await sender.drain(Date.now() + 10_000));
    sender.close();
    assert.deepEqual(service.requests.map((r) => r.path), [BLOCKS, BLOCK, BLOCK, BLOCK, BLOCK]);
    assert.deepEqual(service.requests.slice(1).map((r) => r.body), [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    assert.deepEqual(sender.stats, { sent: 4, rejected: 0, failures: 0 });
  });

  it('sends smaller requests after a 413 on a batch, losing nothing', async () => {
    // A body cap that takes two of these blocks a request, not four.
    const cap = 2 * encodeCbor({ n: 1 }).byteLength + 1;
    service.answer = ({ path, body }) => {
      const blocks = (path === BLOCKS ? body : [body]) as { n: number }[];
      if (encodeCbor(blocks).byteLength > cap) return { status: 413 };
      return storeAll({ path, body });
    };
    const { sender, delivered } = await deliver([1, 2, 3, 4].map((n) => block(n)));
    assert.ok(delivered);
    assert.deepEqual(service.requests.map((r) => r.body), [
      [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }], [{ n: 1 }, { n: 2 }], [{ n: 3 }, { n: 4 }],
    ]);
    assert.deepEqual(sender.stats, { sent: 4, rejected: 0, failures: 0 });
  });
});
