import duckdb from '@duckdb/node-bindings';
import { makeData, type FixedSizeList, type List, type Map_, type Struct } from 'apache-arrow';
import type { ColumnBuilder } from './column.js';
import { OffsetsBuilder } from './growable.js';
import { isValid, readValidity, ValidityBuilder } from './validity.js';

const LIST_ENTRY = 16; // duckdb_list_entry: uint64 offset, uint64 length

/**
 * LIST → List and MAP → Map_ (DuckDB stores a MAP as a list of key/value structs, as Arrow does).
 * Entries point into one child vector; when they are laid out back to back (the usual case) the child
 * slice is appended in one go, otherwise entry by entry.
 */
export class ListColumn implements ColumnBuilder {
  private readonly offsets = new OffsetsBuilder();
  private readonly validity = new ValidityBuilder();
  private childLength = 0;

  constructor(readonly type: List | Map_, private readonly child: ColumnBuilder) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const raw = duckdb.vector_get_data(vector, size * LIST_ENTRY);
    const entries = new BigUint64Array(raw.slice(start * LIST_ENTRY, (start + count) * LIST_ENTRY).buffer);
    const validity = readValidity(vector, size);
    const childVector = duckdb.list_vector_get_child(vector);
    const childSize = duckdb.list_vector_get_size(vector);
    const spans: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      const length = isValid(validity, start + i) ? Number(entries[2 * i + 1]) : 0;
      const offset = Number(entries[2 * i]);
      const previous = spans[spans.length - 1];
      if (length === 0) {
        // nothing to copy
      } else if (previous && previous[0] + previous[1] === offset) previous[1] += length;
      else spans.push([offset, length]);
      this.childLength += length;
      this.offsets.push(this.childLength);
    }
    for (const [offset, length] of spans) this.child.append(childVector, childSize, offset, length);
    this.validity.appendFrom(validity, start, count);
  }

  take() {
    const length = this.validity.length;
    this.childLength = 0;
    return makeData({
      type: this.type, length, valueOffsets: this.offsets.take(), child: this.child.take(), ...this.validity.take(),
    } as never);
  }
}

/** ARRAY(n) → FixedSizeList(n): the child holds n entries per row, row-major. */
export class FixedSizeListColumn implements ColumnBuilder {
  private readonly validity = new ValidityBuilder();

  constructor(readonly type: FixedSizeList, private readonly child: ColumnBuilder) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    const width = this.type.listSize;
    this.child.append(duckdb.array_vector_get_child(vector), size * width, start * width, count * width);
    this.validity.appendFrom(readValidity(vector, size), start, count);
  }

  take() {
    const length = this.validity.length;
    return makeData({ type: this.type, length, child: this.child.take(), ...this.validity.take() });
  }
}

/** STRUCT → Struct: each member is a child vector of the same length. */
export class StructColumn implements ColumnBuilder {
  private readonly validity = new ValidityBuilder();

  constructor(readonly type: Struct, private readonly children: ColumnBuilder[]) {}

  append(vector: duckdb.Vector, size: number, start: number, count: number): void {
    this.children.forEach((child, i) => child.append(duckdb.struct_vector_get_child(vector, i), size, start, count));
    this.validity.appendFrom(readValidity(vector, size), start, count);
  }

  take() {
    const length = this.validity.length;
    return makeData({ type: this.type, length, children: this.children.map((c) => c.take()), ...this.validity.take() });
  }
}
