import duckdb from '@duckdb/node-bindings';

/** Validity bits of a flat DuckDB vector, or null when every entry is valid. */
export function readValidity(vector: duckdb.Vector, size: number): Uint8Array | null {
  return duckdb.vector_get_validity(vector, Math.ceil(size / 64) * 8) ?? null;
}

export function isValid(bits: Uint8Array | null, index: number): boolean {
  return bits === null || (bits[index >> 3] & (1 << (index & 7))) !== 0;
}

/**
 * Arrow null bitmap built from DuckDB validity masks. DuckDB's mask is little-endian 64-bit words with
 * bit i set when row i is valid: byte for byte the Arrow layout, so aligned appends are plain copies.
 * The bitmap is only allocated once a null shows up.
 */
export class ValidityBuilder {
  private bits: Uint8Array | null = null;
  length = 0;
  nullCount = 0;

  appendFrom(source: Uint8Array | null, start: number, count: number): void {
    if (source === null) return this.appendValid(count);
    if (!this.bits && !hasNull(source, start, count)) return this.appendValid(count);
    this.materialize(count);
    const bits = this.bits!;
    if ((start & 7) === 0 && (this.length & 7) === 0) {
      bits.set(source.subarray(start >> 3, (start + count + 7) >> 3), this.length >> 3);
    } else {
      for (let i = 0; i < count; i++) setBit(bits, this.length + i, isValid(source, start + i));
    }
    for (let i = 0; i < count; i++) if (!isValid(source, start + i)) this.nullCount++;
    this.length += count;
    // Bits past the end may have been copied in by a byte-wise copy; clear them so later appends OR cleanly.
    for (let i = this.length; i < ((this.length + 7) & ~7); i++) setBit(bits, i, false);
  }

  appendValid(count: number): void {
    if (this.bits) {
      this.materialize(count);
      for (let i = 0; i < count; i++) setBit(this.bits, this.length + i, true);
    }
    this.length += count;
  }

  appendNull(): void {
    this.materialize(1);
    setBit(this.bits!, this.length, false);
    this.length++;
    this.nullCount++;
  }

  /** The bitmap of everything appended (undefined when there were no nulls); starts over. */
  take(): { nullBitmap: Uint8Array | undefined; nullCount: number } {
    const out = { nullBitmap: this.bits ? this.bits.slice(0, (this.length + 7) >> 3) : undefined, nullCount: this.nullCount };
    this.bits = null;
    this.length = 0;
    this.nullCount = 0;
    return out;
  }

  private materialize(extra: number): void {
    const neededBytes = (this.length + extra + 7) >> 3;
    if (this.bits === null) {
      this.bits = new Uint8Array(Math.max(256, neededBytes * 2));
      // Everything appended before the first null was valid.
      this.bits.fill(0xff, 0, this.length >> 3);
      for (let i = this.length & ~7; i < this.length; i++) setBit(this.bits, i, true);
    } else if (neededBytes > this.bits.length) {
      const grown = new Uint8Array(neededBytes * 2);
      grown.set(this.bits);
      this.bits = grown;
    }
  }
}

function setBit(bits: Uint8Array, index: number, value: boolean): void {
  if (value) bits[index >> 3] |= 1 << (index & 7);
  else bits[index >> 3] &= ~(1 << (index & 7));
}

function hasNull(bits: Uint8Array, start: number, count: number): boolean {
  for (let i = 0; i < count; i++) if (!isValid(bits, start + i)) return true;
  return false;
}
