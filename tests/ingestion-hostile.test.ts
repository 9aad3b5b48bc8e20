/**
 * Bad input gets a 4xx naming what is wrong, stores nothing, and leaves the server serving.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TEST_POSTGRES_URL, testMetadataBackends } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends } from '@micromegas/backend/lake/object-store/test-stores';
import { bignum, hostileBodies, inEnvelope } from './hostile-bodies.js';
import { startCli, type StartedCli } from './cli-process.js';
import {
  cbor, count, objectKeys, post, sampleBlock, sampleProcess, sampleStream, startIngestion, storageMatrix,
  type IngestionUnderTest,
} from './ingestion-fixtures.js';

const MAX_BODY = 256 * 1024;
const without = (value: object, field: string) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== field));

/** Why a hostile body is refused: the reasons of the CBOR check, before cbor-x decodes anything. */
const HOSTILE_REASON = /^(process|block): invalid CBOR: (CBOR tag \d+ is not allowed \(envelopes use no tags\)|nesting deeper than 8|more than 10000 array elements and map entries|more than 1048576 bytes of text) at byte \d+/;

describe('ingestion under hostile CBOR bodies (micromegas start on postgres + file)', () => {
  // The server runs in a child process, so that a body freezing its event loop (a 1 MiB bignum held
  // it for over 16 minutes before the CBOR check) fails this test at its timeout instead of freezing
  // the test runner with it; nothing here measures time.
  it('refuses each with 400 and the reason, and /health answers while they are in flight', { timeout: 120_000 }, async () => {
    const [db, os] = await Promise.all([
      testMetadataBackends.find((b) => b.name === 'postgres')!.open(), testObjectBackends.find((b) => b.name === 'file')!.open()]);
    const dataDir = await mkdtemp(join(tmpdir(), 'mm-hostile-'));
    let server: StartedCli | undefined;
    try {
      server = await startCli(dataDir, ['--roles', 'ingestion'], {
        MICROMEGAS_SQL_CONNECTION_STRING: TEST_POSTGRES_URL, MICROMEGAS_SQL_SCHEMA: (db.options as { schema: string }).schema,
        MICROMEGAS_OBJECT_STORE_URI: os.uri, MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(32 * 1024 * 1024), MICROMEGAS_SELF_TELEMETRY_URL: 'off',
      });
      const url = server.address('ingestion');
      const bodies = [
        ...hostileBodies(0.25),
        { name: 'bignum tag 2, 1 MiB', body: bignum(1024 * 1024) },
        { name: 'bignum tag 2, 1 MiB, again', body: bignum(1024 * 1024) },
        { name: 'a process with an extra field holding a 1 MiB bignum', body: inEnvelope({ exe: cbor('x') }, bignum(1024 * 1024)) },
      ];
      const inFlight = bodies.map(async ({ name, body }) => ({ name, ...await post(url, name.startsWith('a process') ? 'insert_process' : 'insert_block', body) }));
      assert.equal((await fetch(`${url}/health`)).status, 200);
      for (const { name, status, text } of await Promise.all(inFlight)) {
        assert.equal(status, 400, `${name}: ${text}`);
        assert.match(JSON.parse(text).message, HOSTILE_REASON, name);
      }
      assert.equal((await fetch(`${url}/health`)).status, 200);
      assert.equal(await count(db, 'processes'), 0);
      assert.equal(await count(db, 'blocks'), 0);
    } finally {
      await server?.stop('SIGKILL'); // a frozen server would not stop on SIGINT
      await Promise.all([db.drop(), os.drop(), rm(dataDir, { recursive: true, force: true })]);
    }
  });
});

describe('ingestion under many large bodies at once (postgres + file)', () => {
  it('holds at most MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES of bodies: beyond, 503 busy with Retry-After, and the resend gets in', async () => {
    const storage = storageMatrix.find((s) => s.name === 'postgres + file')!;
    const MB = 1024 * 1024;
    const it_ = await startIngestion(storage.metadata, storage.objects, {
      MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(4 * MB), MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES: String(7 * MB),
    });
    const held: ClientRequest[] = [];
    const responses: Promise<number>[] = [];
    try {
      const process = sampleProcess();
      const stream = sampleStream(process);
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
      const big = () => Buffer.from(cbor(sampleBlock(stream, { payload: { dependencies: randomBytes(100), objects: randomBytes(3 * MB) } })));
      // two senders of 3 MiB bodies, let in (100 Continue: the server has seen their heads), that have sent part of them
      const bodies = [big(), big()];
      for (const body of bodies) {
        const request = httpRequest(`${it_.url}/ingestion/insert_block`, {
          method: 'POST', headers: { 'content-length': body.length, expect: '100-continue' },
        });
        held.push(request);
        responses.push(new Promise<number>((resolve, reject) => {
          request.on('response', (response) => { response.resume(); resolve(response.statusCode!); });
          request.on('error', reject);
        }));
        await once(request, 'continue');
        request.write(body.subarray(0, 1024));
      }
      // over 6 MiB in flight: a third body waits its turn
      const third = big();
      const response = await fetch(`${it_.url}/ingestion/insert_block`, { method: 'POST', body: third });
      const refused = { status: response.status, text: await response.text(), retryAfter: response.headers.get('retry-after') };
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.retryAfter, '1');
      assert.deepEqual(JSON.parse(refused.text), {
        statusCode: 503, error: 'busy',
        message: `ingestion is busy: ${bodies[0]!.length + bodies[1]!.length} bytes of request bodies in flight, this one would add ${third.length} `
          + `(MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES=${7 * MB}); retry later`,
      });
      assert.equal((await fetch(`${it_.url}/health`)).status, 200, '/health is not subject to it');
      held.forEach((request, i) => request.end(bodies[i]!.subarray(1024)));
      assert.deepEqual(await Promise.all(responses), [200, 200]);
      assert.equal((await post(it_.url, 'insert_block', third)).status, 200);
      assert.equal(await count(it_.db, 'blocks'), 3);
    } finally {
      for (const request of held) request.destroy();
      await Promise.allSettled(responses);
      await it_.close();
    }
  });

  it('counts chunked bodies (no content-length, as OTel exporters send) by the bytes that arrive, not by the cap', async () => {
    const storage = storageMatrix.find((s) => s.name === 'postgres + file')!;
    const MB = 1024 * 1024;
    const it_ = await startIngestion(storage.metadata, storage.objects, {
      MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(8 * MB), MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES: String(7 * MB),
    });
    const held: ClientRequest[] = [];
    try {
      const process = sampleProcess();
      const stream = sampleStream(process);
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
      const chunked = (body: Buffer, split: number) => {
        const request = httpRequest(`${it_.url}/ingestion/insert_block`, { method: 'POST' });
        held.push(request);
        const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
          request.on('response', (r) => {
            let text = '';
            r.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: r.statusCode!, text }));
          });
          request.on('error', reject);
        });
        request.write(body.subarray(0, split));
        return { request, response, rest: body.subarray(split) };
      };
      const block = (size: number) => Buffer.from(cbor(sampleBlock(stream, { payload: { dependencies: randomBytes(10), objects: randomBytes(size) } })));
      // three 1 MiB bodies under way at once: each would have reserved the 8 MiB cap before
      const small = [block(MB), block(MB), block(MB)].map((body) => chunked(body, 64 * 1024));
      small.forEach(({ request, rest }) => request.end(rest));
      for (const { response } of small) assert.equal((await response).status, 200);
      // a sender that announced its length holds its reservation, so the server's refusals of an 8 MiB
      // probe report what it holds (see heldBytesReach) and nothing is let in without its turn
      const keeperBody = block(512 * 1024);
      const keeper = httpRequest(`${it_.url}/ingestion/insert_block`, {
        method: 'POST', headers: { 'content-length': keeperBody.length, expect: '100-continue' },
      });
      held.push(keeper);
      const kept = new Promise<number>((resolve, reject) => {
        keeper.on('response', (r) => { r.resume(); resolve(r.statusCode!); });
        keeper.on('error', reject);
      });
      await once(keeper, 'continue');
      await heldBytesReach(it_.url, keeperBody.length, 8 * MB);
      // two 3 MiB bodies held mid-way; once the server holds their bytes, a third that pushes past 7 MiB is refused as it arrives
      const split = 3 * MB - 1024;
      const big = [block(3 * MB), block(3 * MB)].map((body) => chunked(body, split));
      await heldBytesReach(it_.url, keeperBody.length + 2 * split, 8 * MB);
      const third = chunked(block(3 * MB), 3 * MB);
      third.request.end(third.rest);
      const refused = await third.response;
      assert.equal(refused.status, 503, refused.text);
      assert.equal(JSON.parse(refused.text).error, 'busy');
      big.forEach(({ request, rest }) => request.end(rest));
      keeper.end(keeperBody);
      for (const { response } of big) assert.equal((await response).status, 200);
      assert.equal(await kept, 200);
      const resent = chunked(block(3 * MB), 0);
      resent.request.end(resent.rest);
      assert.equal((await resent.response).status, 200, 'the resend gets in');
      assert.equal(await count(it_.db, 'blocks'), 7);
    } finally {
      for (const request of held) request.destroy();
      await it_.close();
    }
  });
});

/**
 * Waits until the server holds at least `bytes` of request bodies, as its own 503 says: while another
 * body is in flight, a probe announcing more than the in-flight bound is refused at once, body unsent,
 * with the bytes held. A probe that gets no such answer means nothing is held yet: it is dropped and tried again.
 */
async function heldBytesReach(url: string, bytes: number, probeBytes: number): Promise<void> {
  for (;;) {
    const seen = await new Promise<number>((resolve) => {
      const probe = httpRequest(`${url}/ingestion/insert_block`, { method: 'POST', headers: { 'content-length': probeBytes } });
      const letIn = setTimeout(() => { probe.destroy(); resolve(0); }, 200);
      probe.on('response', (response) => {
        clearTimeout(letIn);
        let text = '';
        response.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => {
          probe.destroy();
          resolve(Number(/busy: (\d+) bytes/.exec(text)?.[1] ?? 0));
        });
      });
      probe.on('error', () => { clearTimeout(letIn); resolve(0); });
      probe.flushHeaders();
    });
    if (seen >= bytes) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The diagonal of the matrix: each backend once. */
const storages = storageMatrix.filter((s) => s.name === 'pglite + file' || s.name === 'postgres + s3');

for (const storage of storages) {
  describe(`ingestion refuses bad input (${storage.name})`, () => {
    let it_: IngestionUnderTest;
    before(async () => {
      it_ = await startIngestion(storage.metadata, storage.objects, { MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(MAX_BODY) });
    });
    after(async () => {
      // the server is still healthy and nothing was stored by any of the bad requests
      assert.equal((await fetch(`${it_.url}/health`)).status, 200);
      assert.equal((await fetch(`${it_.url}/ready`)).status, 200);
      assert.equal(await count(it_.db, 'processes'), 0);
      assert.equal(await count(it_.db, 'streams'), 0);
      assert.equal(await count(it_.db, 'blocks'), 0);
      assert.deepEqual(await objectKeys(it_.os), []);
      await it_.close();
    });

    async function expect(path: string, body: Uint8Array | string, status: number, message: RegExp): Promise<void> {
      const response = await post(it_.url, path, body);
      assert.equal(response.status, status, `${path}: ${response.text}`);
      assert.match(JSON.parse(response.text).message, message);
    }

    it('refuses bodies that are not one CBOR map', async () => {
      const process = cbor(sampleProcess());
      for (const path of ['insert_process', 'insert_stream', 'insert_block']) {
        await expect(path, new Uint8Array(0), 400, /empty body/);
        await expect(path, process.subarray(0, process.length - 5), 400, /invalid CBOR: Unexpected end/);
        await expect(path, new Uint8Array([0xff, 0xfe, 0xfd]), 400, /invalid CBOR/);
        await expect(path, new Uint8Array([...process, 0x01]), 400, /invalid CBOR/);
        await expect(path, cbor([1, 2, 3]), 400, /must be a map, got an array/);
        await expect(path, cbor('a string'), 400, /must be a map, got a string/);
        await expect(path, new Uint8Array(10_000).fill(0x81), 400, /invalid CBOR/);
      }
    });

    it('names the missing or mistyped process field', async () => {
      const p = sampleProcess();
      await expect('insert_process', cbor(without(p, 'exe')), 400, /^process: field 'exe' is missing/);
      await expect('insert_process', cbor({ ...p, process_id: 42 }), 400, /field 'process_id' must be a text string, got a number/);
      await expect('insert_process', cbor({ ...p, process_id: '../../etc' }), 400, /field 'process_id' must be an id/);
      await expect('insert_process', cbor({ ...p, tsc_frequency: 'fast' }), 400, /field 'tsc_frequency' must be an integer/);
      await expect('insert_process', cbor({ ...p, tsc_frequency: 0 }), 400, /field 'tsc_frequency' must be an integer in \[1,/);
      await expect('insert_process', cbor({ ...p, start_ticks: 1.5 }), 400, /field 'start_ticks' must be an integer/);
      await expect('insert_process', cbor({ ...p, start_time: '2026-02-30T00:00:00Z' }), 400, /field 'start_time' must be an RFC 3339 time/);
      await expect('insert_process', cbor({ ...p, start_time: 1700000000 }), 400, /field 'start_time' must be a text string/);
      await expect('insert_process', cbor({ ...p, properties: { ok: 'x', bad: 3 } }), 400, /field 'properties.bad' must be a text string/);
      await expect('insert_process', cbor({ ...p, properties: ['x'] }), 400, /field 'properties' must be a map/);
    });

    it('names the mistyped stream field, and refuses a stream of an unknown process', async () => {
      const s = sampleStream(sampleProcess());
      await expect('insert_stream', cbor({ ...s, dependencies_metadata: 'abc' }), 400, /field 'dependencies_metadata' must be a byte string/);
      await expect('insert_stream', cbor({ ...s, tags: ['log', 7] }), 400, /field 'tags\[1\]' must be a text string/);
      await expect('insert_stream', cbor(without(s, 'objects_metadata')), 400, /field 'objects_metadata' is missing/);
      await expect('insert_stream', cbor(s), 422, /unknown process/);
    });

    it('names the bad block field, and refuses a block of an unknown stream', async () => {
      const b = sampleBlock(sampleStream(sampleProcess()));
      await expect('insert_block', cbor({ ...b, payload: { dependencies: b.payload.dependencies } }), 400, /field 'payload.objects' is missing/);
      await expect('insert_block', cbor({ ...b, payload: 'x' }), 400, /field 'payload' must be a map/);
      await expect('insert_block', cbor({ ...b, nb_objects: -1 }), 400, /field 'nb_objects' must be an integer in \[0,/);
      await expect('insert_block', cbor({ ...b, nb_objects: 2 ** 40 }), 400, /field 'nb_objects' must be at most/);
      await expect('insert_block', cbor({ ...b, end_ticks: 2n ** 64n }), 400, /invalid CBOR: CBOR tag 2 is not allowed/);
      await expect('insert_block', cbor({ ...b, block_id: '' }), 400, /field 'block_id' must be an id/);
      await expect('insert_block', cbor(b), 422, /unknown stream/);
    });

    it('refuses a block whose process is not its stream\'s', async () => {
      const process = sampleProcess();
      const stream = sampleStream(process);
      // The process and stream are recorded by this test, so remove them afterwards to keep the
      // "nothing stored" check about the bad requests.
      assert.equal((await post(it_.url, 'insert_process', cbor(process))).status, 200);
      assert.equal((await post(it_.url, 'insert_stream', cbor(stream))).status, 200);
      try {
        await expect('insert_block', cbor(sampleBlock(stream, { process_id: sampleProcess().process_id })), 400,
          /field 'process_id' is .* but stream .* belongs to process/);
      } finally {
        await it_.db.store.query('DELETE FROM streams WHERE stream_id = $1', [stream.stream_id]);
        await it_.db.store.query('DELETE FROM processes WHERE process_id = $1', [process.process_id]);
      }
    });

    it('refuses NUL and over-long text with 400 naming the field, where the database would have failed with 503', async () => {
      const p = sampleProcess();
      await expect('insert_process', cbor({ ...p, exe: 'game\u0000.exe' }), 400, /^process: field 'exe' must not contain NUL \(U\+0000\), found at character 4/);
      await expect('insert_process', cbor({ ...p, cpu_brand: 'x'.repeat(4097) }), 400, /field 'cpu_brand' must be at most 4096 characters, got 4097/);
      await expect('insert_process', cbor({ ...p, properties: { version: '1\u0000' } }), 400, /field 'properties.version' must not contain NUL/);
      await expect('insert_process', cbor({ ...p, properties: { 've\u0000rsion': '1' } }), 400, /field 'properties.ve\\u0000rsion' is a key with a NUL/);
      await expect('insert_process', cbor({ ...p, properties: { v: 'x'.repeat(65_537) } }), 400, /field 'properties.v' must be at most 65536 characters/);
      await expect('insert_process', cbor({ ...p, properties: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, ''])) }), 400,
        /field 'properties' must have at most 1000 entries, got 1001/);
      await expect('insert_process', cbor({ ...p, start_time: '2300-01-01T00:00:00Z' }), 400, /field 'start_time' must be from 1677-09-21T00:12:43.145224192Z to 2262-04-11/);
      const s = sampleStream(p);
      await expect('insert_stream', cbor({ ...s, tags: ['log', 'cp\u0000u'] }), 400, /^stream: field 'tags\[1\]' must not contain NUL/);
      await expect('insert_stream', cbor({ ...s, tags: Array.from({ length: 101 }, () => 'log') }), 400, /field 'tags' must have at most 100 entries/);
      await expect('insert_stream', cbor({ ...s, properties: { 'thread-name': '\u0000' } }), 400, /field 'properties.thread-name' must not contain NUL/);
      await expect('insert_stream', cbor({ ...s, objects_metadata: new Uint8Array(65_537) }), 400, /field 'objects_metadata' must be at most 65536 bytes/);
      const b = sampleBlock(s);
      await expect('insert_block', cbor({ ...b, end_time: '2300-01-01T00:00:00Z' }), 400, /^block: field 'end_time' must be from 1677/);
      await expect('insert_block', cbor({ ...b, end_time: '2026-11-23T12:00:00Z' }), 400, /field 'end_time' is before begin_time/);
      await expect('insert_block', cbor({ ...b, end_ticks: 0 }), 400, /field 'end_ticks' is less than begin_ticks/);
    });

    it('accepts text at the limits, and keeps what is not UTF-8 as U+FFFD', async () => {
      const process = sampleProcess({
        exe: 'x'.repeat(4096), properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i === 0 ? 'v'.repeat(65_536) : ''])),
      });
      const body = Buffer.from(cbor(process));
      const bad = body.indexOf('ada'); // username: 'ada'
      body[bad] = 0xff;
      assert.equal((await post(it_.url, 'insert_process', body)).status, 200);
      try {
        const [row] = await it_.db.store.query<{ username: string; exe: string; n: number }>(
          'SELECT username, exe, jsonb_array_length(properties) AS n FROM processes WHERE process_id = $1', [process.process_id]);
        assert.deepEqual(row, { username: '\ufffdda', exe: process.exe, n: 1000 });
      } finally {
        await it_.db.store.query('DELETE FROM processes WHERE process_id = $1', [process.process_id]);
      }
    });

    it('refuses bodies over the size cap with 413, announced or streamed', async () => {
      const big = randomBytes(MAX_BODY + 1);
      await expect('insert_block', big, 413, /too large/i);
      const chunks = [randomBytes(MAX_BODY / 2), randomBytes(MAX_BODY / 2), randomBytes(10)];
      const streamed = await fetch(`${it_.url}/ingestion/insert_block`, {
        method: 'POST',
        body: new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
    });

    it('answers 4xx, never 5xx, to arbitrary bytes and arbitrary CBOR values', async () => {
      const valid = sampleBlock(sampleStream(sampleProcess()));
      const mutated = fc.record({
        field: fc.constantFrom(...Object.keys(valid)),
        value: fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withDate: true }),
      }).map(({ field, value }) => cbor({ ...valid, [field]: value }));
      await fc.assert(fc.asyncProperty(
        fc.constantFrom('insert_process', 'insert_stream', 'insert_block'),
        fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.anything().map((v) => cbor(v)), mutated),
        async (path, body) => {
          const { status } = await post(it_.url, path, body);
          assert.ok(status >= 400 && status < 500, `${path} answered ${status}`);
        }), { numRuns: 150 });
    });
  });
}
