import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { signals, toBigInt, type ExportTraceServiceRequest } from '../../lake/otlp/schema.js';
import { decodedBody, decodeRequest, encodingOf } from './body.js';
import { OtlpRequestError } from './errors.js';
import { checkJsonLimits, MAX_ELEMENTS, MAX_NESTING } from './limits.js';

const type = signals.traces.request;

function refused(status: number, pattern: RegExp) {
  return (err: unknown) => err instanceof OtlpRequestError && err.statusCode === status && pattern.test(err.message);
}

describe('OTLP request bodies', () => {
  it('knows the two OTLP content types, with parameters, in any case', () => {
    assert.equal(encodingOf('application/x-protobuf'), 'protobuf');
    assert.equal(encodingOf('Application/JSON; charset=utf-8'), 'json');
    assert.equal(encodingOf('text/plain'), undefined);
    assert.equal(encodingOf(undefined), undefined);
  });

  it('reads OTLP/JSON: hex ids, 64-bit integers as strings or numbers, unknown keys ignored', () => {
    const json = JSON.stringify({
      resourceSpans: [{ unknownKey: { anything: 1 }, scopeSpans: [{ spans: [{
        traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'eee19b7ec3c1b174', parentSpanId: '',
        startTimeUnixNano: '18446744073709551615', endTimeUnixNano: 1800000000000000000, kind: 3,
        attributes: [{ key: 'n', value: { intValue: '-9223372036854775808' } }],
      }] }] }],
    });
    const request = decodeRequest(type, 'json', Buffer.from(json)) as unknown as ExportTraceServiceRequest;
    const span = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.equal(Buffer.from(span.traceId).toString('hex'), '5b8efff798038103d269b633813fc60c');
    assert.equal(span.parentSpanId.length, 0);
    assert.equal(toBigInt(span.startTimeUnixNano), 2n ** 64n - 1n);
    assert.equal(toBigInt(span.endTimeUnixNano), 1800000000000000000n);
    assert.equal(toBigInt(span.attributes[0]!.value!.intValue, true), -(2n ** 63n));
    assert.equal(span.kind, 3);
  });

  it("ignores keys that name no field, '__proto__' included", () => {
    const json = '{"__proto__":{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"smuggled"}]}]}]},"constructor":1}';
    const request = decodeRequest(type, 'json', Buffer.from(json)) as unknown as ExportTraceServiceRequest;
    assert.deepEqual(request.resourceSpans, []);
  });

  it('refuses malformed JSON with the path of the bad value', () => {
    const bad = (body: string) => () => decodeRequest(type, 'json', Buffer.from(body));
    assert.throws(bad('{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"xyz"}]}]}]}'), refused(400, /\$\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.spanId: expected a hex string/));
    assert.throws(bad('{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}'), refused(400, /out of fixed64 range/));
    assert.throws(bad('{"resourceSpans":[{"resource":[]}]}'), refused(400, /resource: expected an object \(Resource\)/));
    assert.throws(bad('nul'), refused(400, /not JSON/));
  });

  it('bounds elements and nesting before decoding', () => {
    assert.throws(() => checkJsonLimits(Buffer.from(`[${'1,'.repeat(MAX_ELEMENTS)}1]`)), refused(413, /more than 1000000 elements/));
    assert.throws(() => checkJsonLimits(Buffer.from('['.repeat(2 * MAX_NESTING + 1))), refused(400, /nests deeper/));
    // Brackets and commas inside strings (escaped quotes included) are text, not structure.
    checkJsonLimits(Buffer.from(JSON.stringify({ s: `"\\${'[,'.repeat(MAX_ELEMENTS)}` })));
  });

  it('inflates gzip up to the cap and no further', async () => {
    const body = Buffer.from('x'.repeat(1000));
    assert.deepEqual(await decodedBody(gzipSync(body), 'gzip', 1000), body);
    assert.deepEqual(await decodedBody(body, undefined, 10), body); // the raw body's cap is fastify's
    await assert.rejects(decodedBody(gzipSync(body), 'gzip', 999), refused(413, /inflates past 999 bytes/));
    await assert.rejects(decodedBody(body, 'gzip', 1000), refused(400, /cannot be inflated/));
    await assert.rejects(decodedBody(body, 'br', 1000), refused(415, /'br' is not supported/));
  });
});
