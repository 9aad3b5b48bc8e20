/**
 * A stand-in for the ingestion service in SDK tests: a node:http server on port 0 that decodes
 * every body with the wire codec and keeps what it received. `failWith` simulates an outage,
 * `olderService` a service without insert_blocks (404).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeBlockEvents, decodeCbor, type Block, type ProcessInfo, type StreamInfo, type WireEvent } from '@micromegas/wire';

const BATCH_PATH = '/ingestion/insert_blocks';

export interface ReceivedBlock {
  block: Block;
  events: WireEvent[];
}

export class StubIngestion {
  readonly processes: ProcessInfo[] = [];
  readonly streams: StreamInfo[] = [];
  readonly blocks: ReceivedBlock[] = [];
  /** When set, every request gets this status and nothing is kept. */
  failWith: number | undefined;
  olderService = false;
  /** The path of every request, in order of arrival. */
  readonly requests: string[] = [];
  private server: http.Server | undefined;

  /** Listens on `port` (0: any free port) and returns the base URL. */
  async start(port = 0): Promise<string> {
    if (this.server) throw new Error('stub ingestion already started');
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push(req.url ?? '');
        if (this.failWith !== undefined) {
          res.writeHead(this.failWith).end();
          return;
        }
        if (this.olderService && req.url === BATCH_PATH) {
          res.writeHead(404).end();
          return;
        }
        try {
          const answer = this.accept(req.url ?? '', req.headers['content-type'], Buffer.concat(chunks));
          res.writeHead(200).end(answer);
        } catch (err) {
          res.writeHead(400).end(String(err));
        }
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Keeps the body's envelopes; the answer's body, if any. */
  private accept(path: string, contentType: string | undefined, body: Buffer): string | undefined {
    if (contentType !== 'application/cbor') throw new Error(`content-type ${contentType}`);
    const value = decodeCbor(body);
    switch (path) {
      case '/ingestion/insert_process':
        this.processes.push(value as ProcessInfo);
        return undefined;
      case '/ingestion/insert_stream':
        this.streams.push(value as StreamInfo);
        return undefined;
      case '/ingestion/insert_block':
        this.keep(value as Block);
        return undefined;
      case BATCH_PATH: {
        const blocks = value as Block[];
        for (const block of blocks) this.keep(block);
        return JSON.stringify({ results: blocks.map(() => ({ statusCode: 200 })) });
      }
      default:
        throw new Error(`unknown path ${path}`);
    }
  }

  private keep(block: Block): void {
    this.blocks.push({ block, events: decodeBlockEvents(block.payload, block) });
  }

  streamWithTag(tag: string, processId: string, threadName?: string): StreamInfo | undefined {
    return this.streams.find(
      (s) => s.process_id === processId && s.tags.includes(tag) && (threadName === undefined || s.properties['thread-name'] === threadName),
    );
  }

  /** Events of a stream in order, blocks sorted by object_offset. */
  eventsOf(streamId: string): WireEvent[] {
    return this.blocks
      .filter((b) => b.block.stream_id === streamId)
      .sort((a, b) => a.block.object_offset - b.block.object_offset)
      .flatMap((b) => b.events);
  }
}
