/**
 * OTLP/HTTP as the specification has it, against the ingestion role on PostgreSQL and PGlite:
 * responses in the request's content type (what OTel's own deserializers read), partial success,
 * google.rpc.Status errors, gzip, idempotent resends, and hostile bodies (garbage, gzip bombs, other
 * content types, bodies and element counts over the limits, deep nesting, huge attribute counts)
 * refused with a 4xx while everything accepted before stays stored, exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { readStoredPayload } from '@micromegas/backend/lake/telemetry/payload';
import { signals, statusType } from '@micromegas/backend/lake/otlp/schema';
import { MAX_ELEMENTS } from '@micromegas/backend/ingestion/otlp/limits';
import { MAX_ATTRIBUTES } from '@micromegas/backend/ingestion/otlp/accept';
import {
  count, objectKeys, referencedPacks, startIngestion, storageMatrix, sweepUnreferencedPacks, type IngestionUnderTest,
} from './ingestion-fixtures.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Answer { status: number; type: string | null; body: Buffer; retryAfter: string | null }

async function post(url: string, path: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, { method: 'POST', body, headers });
  return {
    status: response.status, type: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** The google.rpc.Status of an error answer, decoded as its content type says. */
function status(answer: Answer): { code: number; message: string } {
  if (answer.type === JSON_TYPE) return JSON.parse(answer.body.toString()) as { code: number; message: string };
  assert.equal(answer.type, PROTOBUF);
  return statusType.toObject(statusType.decode(answer.body)) as { code: number; message: string };
}

/** Spans made by the OTel SDK, one trace of `n` spans. */
async function sdkSpans(service: string, n: number): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('otlp.http.test');
  tracer.startActiveSpan('root', { kind: SpanKind.SERVER }, (root) => {
    for (let i = 1; i < n; i++) tracer.startSpan(`child ${i}`).end();
    root.end();
  });
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans(); // before shutdown, which empties the exporter
  assert.equal(spans.length, n);
  await provider.shutdown();
  return spans;
}

/** A span in OTLP/JSON with these overrides. */
function jsonSpan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'span', kind: 1,
    startTimeUnixNano: '1800000000000000000', endTimeUnixNano: '1800000000000001000', ...overrides,
  };
}

function jsonTraces(spans: Record<string, unknown>[], service = 'hostile'): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }],
  });
}

/** Items stored in every OTLP trace block, as their payloads decode. */
async function storedSpans(it_: IngestionUnderTest): Promise<string[]> {
  const blocks = await it_.db.store.query<{ block_id: string; stream_id: string; process_id: string; nb_objects: number }>('SELECT * FROM blocks');
  const names: string[] = [];
  for (const block of blocks) {
    const stored = await readStoredPayload(it_.os.store, block);
    assert.equal(stored.kind, 'otlp');
    if (stored.kind !== 'otlp' || stored.signal !== 'traces') continue;
    const request = signals.traces.request.decode(stored.data) as unknown as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
    const spans = request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
    assert.equal(spans.length, block.nb_objects);
    names.push(...spans);
  }
  return names.sort();
}

for (const storage of storageMatrix.filter((s) => s.objects.name === 'file')) {
  describe(`OTLP/HTTP ingestion (${storage.name})`, () => {
    let it_: IngestionUnderTest;
    let spans: ReadableSpan[];
    const accepted: string[] = [];

    before(async () => {
      it_ = await startIngestion(storage.metadata, storage.objects, { MICROMEGAS_INGESTION_MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
      spans = await sdkSpans('otlp-http', 3);
    });
    after(async () => { await it_.close(); });

    it('accepts what OTel serializes, answering an empty Export response in the request encoding', async () => {
      const proto = await post(it_.url, '/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!, { 'content-type': PROTOBUF });
      assert.deepEqual([proto.status, proto.type, proto.body.length], [200, PROTOBUF, 0]);
      assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(proto.body), {});
      const json = await post(it_.url, '/v1/traces', JsonTraceSerializer.serializeRequest(spans)!, { 'content-type': `${JSON_TYPE}; charset=utf-8` });
      assert.deepEqual([json.status, json.type, json.body.toString()], [200, JSON_TYPE, '{}']);
      accepted.push(...spans.map((s) => s.name));
      // The same spans in either encoding are one block: the resend is not stored twice.
      assert.equal(await count(it_.db, 'blocks'), 1);
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
    });

    it('stores a resent request once, gzip or not', async () => {
      const again = await sdkSpans('otlp-http-resend', 2);
      const body = ProtobufTraceSerializer.serializeRequest(again)!;
      const blocks = await count(it_.db, 'blocks');
      for (const [payload, headers] of [[body, {}], [body, {}], [gzipSync(body), { 'content-encoding': 'gzip' }]] as const) {
        const answer = await post(it_.url, '/v1/traces', payload, { 'content-type': PROTOBUF, ...headers });
        assert.equal(answer.status, 200);
      }
      accepted.push(...again.map((s) => s.name));
      assert.equal(await count(it_.db, 'blocks'), blocks + 1);
      // the resent copies are in packs no row refers to, which the sweep deletes
      await sweepUnreferencedPacks(it_);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
    });

    it('answers partial success, as OTel reads it, and stores only the valid spans', async () => {
      const body = jsonTraces([
        jsonSpan({ name: 'kept' }),
        jsonSpan({ name: 'short trace id', traceId: '5b8efff7' }),
        jsonSpan({ name: 'backwards', spanId: 'eee19b7ec3c1b175', endTimeUnixNano: '1799999999999999999' }),
        jsonSpan({ name: 'crowded', spanId: 'eee19b7ec3c1b176', attributes: Array.from({ length: MAX_ATTRIBUTES + 1 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } })) }),
      ], 'partial');
      const answer = await post(it_.url, '/v1/traces', body, { 'content-type': JSON_TYPE });
      assert.equal(answer.status, 200);
      const response = JsonTraceSerializer.deserializeResponse(answer.body);
      assert.equal(Number(response.partialSuccess?.rejectedSpans), 3);
      assert.equal(response.partialSuccess?.errorMessage,
        '3 spans rejected: trace_id is not 16 bytes (or is all zeros) (1); end time before start time (1); span has more than 1024 attributes (1)');
      accepted.push('kept');
      // The protobuf answer says the same.
      const proto = await post(it_.url, '/v1/traces', Buffer.from(signals.traces.request.encode(signals.traces.request.fromObject({
        resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'no ids', startTimeUnixNano: 1, endTimeUnixNano: 2 }] }] }],
      })).finish()), { 'content-type': PROTOBUF });
      assert.equal(proto.status, 200);
      const decoded = ProtobufTraceSerializer.deserializeResponse(proto.body);
      assert.equal(Number(decoded.partialSuccess?.rejectedSpans), 1);
      assert.match(decoded.partialSuccess?.errorMessage ?? '', /trace_id/);
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
    });

    it('stamps log records that have no time with the time they arrived, however many there are', async () => {
      const records = 200_000;
      const body = signals.logs.request.encode(signals.logs.request.fromObject({
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'timeless' } }] },
          scopeLogs: [{ logRecords: Array.from({ length: records }, () => ({ body: { stringValue: 'x' } })) }] }],
      })).finish();
      const before = BigInt(Date.now()) * 1_000_000n;
      const answer = await post(it_.url, '/v1/logs', Buffer.from(body), { 'content-type': PROTOBUF });
      const after = BigInt(Date.now()) * 1_000_000n;
      assert.deepEqual([answer.status, answer.body.length], [200, 0]);
      const [block] = await it_.db.store.query<{ nb_objects: number; begin_time_ns: bigint | number; end_time_ns: bigint | number }>(
        `SELECT nb_objects, begin_time_ns, end_time_ns FROM blocks b JOIN processes p USING (process_id) WHERE p.exe = 'timeless'`);
      assert.equal(block!.nb_objects, records);
      assert.equal(BigInt(block!.begin_time_ns), BigInt(block!.end_time_ns));
      assert.ok(BigInt(block!.begin_time_ns) >= before && BigInt(block!.begin_time_ns) <= after);
    });

    it('refuses garbage with 400 and a google.rpc.Status saying why, in the request encoding', async () => {
      const cases: [string, string | Buffer, RegExp][] = [
        [PROTOBUF, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), /malformed protobuf ExportTraceServiceRequest/],
        [PROTOBUF, Buffer.from([0x0a, 0x7f, 0x01]), /malformed protobuf/],
        [JSON_TYPE, '{"resourceSpans": [', /not JSON/],
        [JSON_TYPE, '[1, 2]', /at \$: expected an object/],
        [JSON_TYPE, '{"resourceSpans": 3}', /at \$\.resourceSpans: expected an array/],
        [JSON_TYPE, jsonTraces([jsonSpan({ traceId: 'not hex!' })]), /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected a hex string/],
        [JSON_TYPE, jsonTraces([jsonSpan({ startTimeUnixNano: 'yesterday' })]), /startTimeUnixNano: expected a fixed64 as a decimal string/],
        [JSON_TYPE, jsonTraces([jsonSpan({ endTimeUnixNano: '18446744073709551616' })]), /out of fixed64 range/],
        [JSON_TYPE, jsonTraces([jsonSpan({ events: { name: 'not a list' } })]), /events: expected an array/],
      ];
      for (const [type, body, reason] of cases) {
        const answer = await post(it_.url, '/v1/traces', body, { 'content-type': type });
        assert.equal(answer.status, 400, `${type} ${String(body).slice(0, 40)}`);
        assert.equal(answer.type, type);
        const s = status(answer);
        assert.equal(s.code, 3);
        assert.match(s.message, reason);
      }
      const badGzip = await post(it_.url, '/v1/logs', Buffer.from('not gzip'), { 'content-type': PROTOBUF, 'content-encoding': 'gzip' });
      assert.equal(badGzip.status, 400);
      assert.match(status(badGzip).message, /cannot be inflated/);
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
    });

    it('refuses other content types and encodings with 415', async () => {
      for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/cbor' }, {}] as Record<string, string>[]) {
        const answer = await post(it_.url, '/v1/metrics', Buffer.from('x'), headers); // bytes: fetch adds no content type
        assert.equal(answer.status, 415);
        assert.match(status(answer).message, /is not OTLP: send application\/x-protobuf or application\/json/);
      }
      const deflate = await post(it_.url, '/v1/metrics', 'x', { 'content-type': JSON_TYPE, 'content-encoding': 'deflate' });
      assert.equal(deflate.status, 415);
      assert.match(status(deflate).message, /content-encoding 'deflate' is not supported/);
    });

    it('refuses bodies over the cap, before and after inflating, with 413', async () => {
      const big = await post(it_.url, '/v1/traces', Buffer.alloc(MAX_BODY_BYTES + 1), { 'content-type': PROTOBUF });
      assert.equal(big.status, 413);
      assert.equal(status(big).code, 8);
      // A gzip bomb: 16 members of 64 MiB of zeros, 1 GiB inflated from about 1 MB; inflating stops at the cap.
      const member = gzipSync(Buffer.alloc(64 * 1024 * 1024));
      const bomb = Buffer.concat(Array.from({ length: 16 }, () => member));
      assert.ok(bomb.length < MAX_BODY_BYTES);
      const answer = await post(it_.url, '/v1/logs', bomb, { 'content-type': PROTOBUF, 'content-encoding': 'gzip' });
      assert.equal(answer.status, 413);
      assert.match(status(answer).message, new RegExp(`gzip body inflates past ${MAX_BODY_BYTES} bytes`));
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
    });

    it('refuses bodies of too many elements (413) or nested too deep (400) before decoding them', async () => {
      // A span of a million empty attributes, 2 bytes each (Span.attributes is field 9), nested by hand:
      // building it with the schema would itself cost the memory the limit protects.
      const attributes = Buffer.alloc(2 * MAX_ELEMENTS, Buffer.from([0x4a, 0x00]));
      const request = field(1, field(2, field(2, attributes))); // request.resource_spans → scope_spans → spans
      assert.ok(request.length < MAX_BODY_BYTES);
      const many = await post(it_.url, '/v1/traces', request, { 'content-type': PROTOBUF });
      assert.equal(many.status, 413);
      assert.match(status(many).message, new RegExp(`more than ${MAX_ELEMENTS} elements`));
      const manyJson = await post(it_.url, '/v1/traces', `{"resourceSpans":[${'{},'.repeat(MAX_ELEMENTS)}{}]}`, { 'content-type': JSON_TYPE });
      assert.equal(manyJson.status, 413);
      let nested: Record<string, unknown> = { stringValue: 'bottom' };
      for (let i = 0; i < 70; i++) nested = { arrayValue: { values: [nested] } };
      const deep = jsonTraces([jsonSpan({ attributes: [{ key: 'deep', value: nested }] })]);
      const deepAnswer = await post(it_.url, '/v1/traces', deep, { 'content-type': JSON_TYPE });
      assert.equal(deepAnswer.status, 400);
      assert.match(status(deepAnswer).message, /nests deeper than 64/);
      // AnyValue.array_value (5) → ArrayValue.values (1) → AnyValue …, 1000 deep: past protobufjs' own limit too.
      let value = field(1, Buffer.from('bottom'));
      for (let i = 0; i < 1000; i++) value = field(5, field(1, value));
      const deepProto = field(1, field(2, field(2, field(9, field(2, value))))); // … spans → attributes → KeyValue.value
      const deepProtoAnswer = await post(it_.url, '/v1/traces', deepProto, { 'content-type': PROTOBUF });
      assert.equal(deepProtoAnswer.status, 400);
      assert.match(status(deepProtoAnswer).message, /nests deeper than 64/);
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
      assert.equal((await fetch(`${it_.url}/health`)).status, 200);
    });

    it('answers 503 with Retry-After when storage fails, and stores the resend once', async () => {
      const blocks = await count(it_.db, 'blocks');
      const body = jsonTraces([jsonSpan({ name: 'during outage', spanId: 'eee19b7ec3c1b177' })], 'outage');
      await it_.db.store.query(`CREATE FUNCTION refuse_otlp_blocks() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$`);
      await it_.db.store.query('CREATE TRIGGER refuse BEFORE INSERT ON blocks FOR EACH ROW EXECUTE FUNCTION refuse_otlp_blocks()');
      try {
        const failed = await post(it_.url, '/v1/traces', body, { 'content-type': JSON_TYPE });
        assert.deepEqual([failed.status, failed.retryAfter], [503, '5']);
        assert.deepEqual(status(failed), { code: 14, message: 'storage failure, retry: disk full (simulated)' });
        assert.equal(await count(it_.db, 'blocks'), blocks);
      } finally {
        await it_.db.store.query('DROP TRIGGER refuse ON blocks');
      }
      assert.equal((await post(it_.url, '/v1/traces', body, { 'content-type': JSON_TYPE })).status, 200);
      assert.equal((await post(it_.url, '/v1/traces', body, { 'content-type': JSON_TYPE })).status, 200);
      accepted.push('during outage');
      assert.equal(await count(it_.db, 'blocks'), blocks + 1);
      assert.deepEqual(await storedSpans(it_), [...accepted].sort());
    });
  });
}

/** A length-delimited protobuf field. */
function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

for (const storage of storageMatrix.filter((s) => s.objects.name === 's3')) {
  describe(`OTLP/HTTP ingestion (${storage.name})`, () => {
    let it_: IngestionUnderTest;
    before(async () => { it_ = await startIngestion(storage.metadata, storage.objects); });
    after(async () => { await it_.close(); });

    it('stores the blocks of every signal, readable back from the bucket', async () => {
      const spans = await sdkSpans('otlp-s3', 2);
      assert.equal((await post(it_.url, '/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!, { 'content-type': PROTOBUF })).status, 200);
      const logs = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1800000000000000000', body: { stringValue: 'hello' } }] }] }] });
      assert.equal((await post(it_.url, '/v1/logs', logs, { 'content-type': JSON_TYPE })).status, 200);
      assert.deepEqual(await storedSpans(it_), spans.map((s) => s.name).sort());
      assert.equal((await referencedPacks(it_.db)).length, 2);
      assert.deepEqual(await objectKeys(it_.os), await referencedPacks(it_.db));
    });
  });
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
