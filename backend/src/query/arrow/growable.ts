/** A byte buffer that doubles when full: the backing store of every column builder. */
export class GrowableBytes {
  private bytes: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  append(source: Uint8Array): void {
    this.reserve(source.length);
    this.bytes.set(source, this.length);
    this.length += source.length;
  }

  /** Hands over the bytes written so far (8-byte aligned for typed-array views) and starts over. */
  take(): Uint8Array {
    const out = new Uint8Array(Math.ceil(this.length / 8) * 8);
    out.set(this.bytes.subarray(0, this.length));
    this.length = 0;
    return out;
  }
}

/** Growable Int32 offsets for variable-length Arrow layouts (strings, binaries, lists). */
export class OffsetsBuilder {
  private offsets = new Int32Array(1025);
  private count = 0; // number of entries after the leading 0

  push(end: number): void {
    if (end > 0x7fffffff) throw new RangeError('a column of one batch exceeds 2 GiB');
    if (this.count + 1 >= this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[++this.count] = end;
  }

  take(): Int32Array {
    const out = this.offsets.slice(0, this.count + 1);
    this.count = 0;
    this.offsets[0] = 0;
    return out;
  }
}
