import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { checkCbor, CborLimitError, ENVELOPE_LIMITS } from './cbor-limits.js';
import { decodeCbor, encodeCbor } from './cbor.js';
import { WireFormatError } from './errors.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const refused = (bytes: Uint8Array, message: RegExp, limits = ENVELOPE_LIMITS) =>
  assert.throws(() => checkCbor(bytes, limits), (err: unknown) => err instanceof CborLimitError && message.test(err.message));

/** What envelopes are made of: maps with text keys, arrays, text, bytes, integers, floats, booleans, null. */
const envelopeValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 50 }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5 })),
})).value;

describe('checkCbor', () => {
  it('accepts whatever our encoder makes of envelope values, and decoding gives them back', () => {
    fc.assert(fc.property(envelopeValue, (value) => {
      const bytes = encodeCbor(value);
      checkCbor(bytes);
      assert.ok(encodeCbor(decodeCbor(bytes)).equals(bytes));
    }), { numRuns: 500 });
  });

  it('accepts indefinite-length arrays and maps, as other encoders write them', () => {
    checkCbor(hex('9f 01 02 9f ff ff'));
    checkCbor(hex('bf 61 61 01 61 62 bf ff ff'));
    assert.deepEqual(decodeCbor(hex('bf 61 61 9f 01 ff ff')), { a: [1] });
  });

  it('refuses every tag: bignums, dates, typed arrays, cbor-x records and objects', () => {
    refused(hex('c2 5a 00 02 00 00') , /CBOR tag 2 is not allowed .* at byte 0/);
    refused(hex('a1 61 61 c3 41 ff'), /CBOR tag 3 .* at byte 3/);
    refused(hex('c1 00'), /tag 1 /);
    refused(hex('d8 55 40'), /tag 85 /);
    refused(hex('d9 df ff 80'), /tag 57343 /);
    refused(hex('d8 1b 80'), /tag 27 /);
  });

  it('refuses nesting, items and text beyond the limits, counted across the whole item', () => {
    const limits = { maxDepth: 3, maxItems: 4, maxTextBytes: 5 };
    checkCbor(hex('81 81 81 00'), limits);
    refused(hex('81 81 81 81 00'), /nesting deeper than 3 at byte 3/, limits);
    refused(hex('9f 9f 9f 9f ff ff ff ff'), /nesting deeper than 3/, limits);
    checkCbor(hex('82 82 00 00 00'), limits);
    refused(hex('82 82 00 00 82 00 00'), /more than 4 array elements and map entries at byte 4/, limits);
    refused(hex('9f 00 00 00 00 00 ff'), /more than 4 .* at byte 5/, limits);
    refused(hex('bf 61 61 00 61 62 00 61 63 00 61 64 00 61 65 00 ff'), /more than 4/, { ...limits, maxTextBytes: 100 });
    checkCbor(hex('82 63 616161 62 6161'), limits);
    refused(hex('82 63 616161 63 616161'), /more than 5 bytes of text at byte 5/, limits);
    refused(hex('a1 63 616161 63 616161'), /more than 5 bytes of text/, limits);
  });

  it('refuses non-text map keys, odd simple values, indefinite strings and reserved heads', () => {
    refused(hex('a1 01 02'), /map keys must be text strings, got major type 0 at byte 1/);
    refused(hex('bf 80 00 ff'), /map keys must be text strings/);
    refused(hex('bf 61 61 ff'), /break after a map key/);
    refused(hex('f0'), /simple value 16/);
    refused(hex('f8 ff'), /simple value 255/);
    refused(hex('5f 41 00 ff'), /invalid CBOR head 0x5f/);
    refused(hex('1c'), /invalid CBOR head 0x1c/);
    refused(hex('ff'), /invalid CBOR head 0xff/);
    checkCbor(hex('84 f4 f5 f6 f7'));
    checkCbor(hex('83 f9 3c00 fa 3f800000 fb 3ff0000000000000'));
  });

  it('refuses truncated items, counts no body can hold, and trailing bytes', () => {
    refused(hex(''), /Unexpected end of CBOR data at byte 0/);
    refused(hex('82 00'), /Unexpected end .* at byte 0/);
    refused(hex('9f 00'), /Unexpected end .* at byte 2/);
    refused(hex('5a 00 00 01 00 00'), /Unexpected end .* at byte 0/);
    refused(hex('9a ff ff ff ff 00'), /Unexpected end/);
    refused(hex('bb 00 00 00 00 00 00 00 02 61 61'), /Unexpected end/);
    refused(hex('19 01'), /Unexpected end/);
    refused(hex('00 00'), /1 bytes after the CBOR item at byte 1/);
    refused(hex('81 00 ff'), /1 bytes after/);
  });

  it('is what decodeCbor applies first, so cbor-x never sees a refused body', () => {
    const bignum = Buffer.concat([hex('c2 5a 00 10 00 00'), Buffer.alloc(0x100000, 0xff)]);
    assert.throws(() => decodeCbor(bignum), (err: unknown) => err instanceof WireFormatError && /invalid CBOR: CBOR tag 2 is not allowed/.test(err.message));
    // cbor-x alone would decode it (slowly): a smaller one shows it is valid CBOR
    const small = Buffer.concat([hex('c2 5a 00 00 00 10'), Buffer.alloc(16, 0xff)]);
    assert.equal(new Encoder({ mapsAsObjects: true }).decode(small), 2n ** 128n - 1n);
  });
});
