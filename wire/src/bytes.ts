/**
 * Growable little-endian byte writer and bounds-checked reader with LEB128 varints. Varints carry
 * any non-negative safe integer (up to 2^53 - 1): above 2^31 they switch from bit ops to arithmetic.
 */
import { WireFormatError, type BlockContext } from './errors.js';

const TWO_POW_7 = 128;
// Doubles go through a scratch typed array (faster than writeDoubleLE); typed arrays use the
// host's byte order, and the format is little-endian.
const scratchF64 = new Float64Array(1);
const scratchBytes = new Uint8Array(scratchF64.buffer);
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialCapacity = 4096) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.pos;
  }

  reset(): void {
    this.pos = 0;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (v < 0x80) {
      // Ids and most tick deltas: one byte, no loop.
      buf[this.pos++] = v;
      return;
    }
    let pos = this.pos;
    while (v >= 0x80000000) {
      buf[pos++] = (v % TWO_POW_7) | 0x80;
      v = Math.floor(v / TWO_POW_7);
    }
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Signed integer, zigzag-folded so small magnitudes of either sign stay short. */
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  f64(v: number): void {
    this.ensure(8);
    scratchF64[0] = v;
    if (HOST_LE) this.buf.set(scratchBytes, this.pos);
    else for (let k = 0; k < 8; k++) this.buf[this.pos + k] = scratchBytes[7 - k]!;
    this.pos += 8;
  }

  /** Varint byte length, then UTF-8 bytes. */
  string(s: string): void {
    const len = s.length;
    if (len < 0x80) {
      // Short ASCII, the common case: a byte loop beats Buffer#write's per-call overhead.
      this.ensure(1 + len);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === len) {
        buf[this.pos] = len;
        this.pos = start + len;
        return;
      }
    }
    const maxBytes = len * 3;
    if (maxBytes < 0x80) {
      // Short strings: reserve the one length byte and backfill it, saving a byteLength scan.
      this.ensure(1 + maxBytes);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
  }

  /**
   * Like `string`, from text already UTF-8 encoded in `src[start, end)` (the SDK's worker copies
   * strings its recording thread encoded, without decoding them).
   */
  utf8(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    // Short strings: a byte loop beats creating a subarray view for set().
    if (n < 32) for (let i = start; i < end; i++) buf[pos++] = src[i]!;
    else {
      buf.set(src.subarray(start, end), pos);
      pos += n;
    }
    this.pos = pos;
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** A view of the bytes written so far, valid until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    private readonly section: string,
    private readonly context: BlockContext,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  fail(message: string, at = this.pos): never {
    throw new WireFormatError(message, this.section, at, this.context);
  }

  u8(): number {
    if (this.pos >= this.buf.length) this.fail('unexpected end of section');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    const buf = this.buf;
    const end = buf.length;
    let pos = this.pos;
    let result = 0;
    let shift = 0;
    // Bit ops for the first 28 bits: every varint the SDK writes for ids and tick deltas fits.
    for (; shift < 28; shift += 7) {
      if (pos >= end) this.fail('truncated varint');
      const b = buf[pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    let mul = 2 ** 28;
    result >>>= 0;
    for (;;) {
      if (pos >= end) this.fail('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= TWO_POW_7;
      if (mul > 2 ** 49) this.fail('varint exceeds 2^53');
    }
    if (result > Number.MAX_SAFE_INTEGER) this.fail('varint exceeds 2^53');
    this.pos = pos;
    return result;
  }

  zigzag(): number {
    const u = this.varint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /**
   * A block's base tick: a zigzag varint of up to 64 bits, as a double. Ticks are integer
   * nanoseconds held in doubles by the SDK, so after 52 days of uptime the folded value passes 2^53
   * (and the tick itself after 104): it is read back as the same double the encoder wrote (the
   * encoder's varint is exact for any integer double; its bits fall within the double's 53).
   */
  wideZigzag(): number {
    let result = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      if (this.pos >= this.buf.length) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      mul *= TWO_POW_7;
    }
    this.fail('varint longer than 64 bits');
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) this.fail('truncated float64');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  string(): string {
    const start = this.pos;
    const n = this.varint();
    if (this.pos + n > this.buf.length) this.fail(`string of ${n} bytes overruns the section`, start);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
