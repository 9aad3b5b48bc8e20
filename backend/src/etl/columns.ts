/**
 * Growable column buffers: events land in typed arrays (no object per event) that the Parquet writer
 * copies into DuckDB vectors in one call per chunk. Repeated strings become small integer ids.
 */

type TypedArray = Int32Array | Uint32Array | Float64Array;
type TypedArrayConstructor<T extends TypedArray> = { new (length: number): T };

class TypedColumn<T extends TypedArray> {
  #data: T;
  length = 0;

  constructor(private readonly ctor: TypedArrayConstructor<T>, capacity = 1024) {
    this.#data = new ctor(capacity);
  }

  push(value: number): void {
    if (this.length === this.#data.length) {
      const grown = new this.ctor(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.length++] = value;
  }

  /** The filled part, without copying. */
  values(): T {
    return this.#data.subarray(0, this.length) as T;
  }

  /** Forgets the values from `length` on (those of a block found corrupt half-way). */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }
}

export class Int32Column extends TypedColumn<Int32Array> {
  constructor(capacity?: number) { super(Int32Array, capacity); }
}

export class Uint32Column extends TypedColumn<Uint32Array> {
  constructor(capacity?: number) { super(Uint32Array, capacity); }
}

/** Doubles; also integers up to 2^53 (ids, nanosecond offsets), cast to BIGINT in SQL. */
export class Float64Column extends TypedColumn<Float64Array> {
  constructor(capacity?: number) { super(Float64Array, capacity); }
}

export class StringColumn {
  readonly #values: string[] = [];

  get length(): number {
    return this.#values.length;
  }

  push(value: string): void {
    this.#values.push(value);
  }

  values(): readonly string[] {
    return this.#values;
  }

  truncate(length: number): void {
    if (length < this.#values.length) this.#values.length = length;
  }
}

/** A fact column, which a builder cuts back to where a corrupt block began. */
export interface Truncatable {
  readonly length: number;
  truncate(length: number): void;
}

/** Assigns dense ids (0, 1, 2, …) to distinct keys, in first-seen order. */
export class Interner<K> {
  readonly #ids = new Map<K, number>();
  readonly #keys: K[] = [];

  id(key: K): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#keys.length;
      this.#ids.set(key, id);
      this.#keys.push(key);
    }
    return id;
  }

  /** Every key, at the index of its id. */
  keys(): readonly K[] {
    return this.#keys;
  }
}

/** int64 values that must stay exact (nanosecond times); few per build (one per block). */
export class BigIntColumn {
  #data = new BigInt64Array(64);
  length = 0;

  push(value: bigint): void {
    if (this.length === this.#data.length) {
      const grown = new BigInt64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.length++] = value;
  }

  get(index: number): bigint {
    return this.#data[index]!;
  }

  values(): BigInt64Array {
    return this.#data.subarray(0, this.length);
  }
}
