/**
 * Interns span descriptors (name, target, filename, line) across the blocks of a build. The decoder
 * hands out one object per descriptor per block, so an identity map answers repeat lookups in a
 * block and a content key merges the same descriptor across blocks.
 */
import type { SpanDescriptor } from '@micromegas/wire';
import { Interner } from './columns.js';
import type { StagedTable } from './staged.js';

/** 32-bit FNV-1a of the descriptor's fields: a stable id for "the same span site". */
export function spanHash(desc: SpanDescriptor): number {
  const key = `${desc.name}\0${desc.target}\0${desc.filename}\0${desc.line}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SpanDescriptors {
  readonly #byObject = new Map<SpanDescriptor, number>();
  readonly #byContent = new Interner<string>();
  readonly #descs: SpanDescriptor[] = [];

  /** Call when a new block starts: its descriptor objects are new ones. */
  newBlock(): void {
    this.#byObject.clear();
  }

  id(desc: SpanDescriptor): number {
    let id = this.#byObject.get(desc);
    if (id === undefined) {
      id = this.#byContent.id(`${desc.name}\0${desc.target}\0${desc.filename}\0${desc.line}`);
      if (id === this.#descs.length) this.#descs.push(desc);
      this.#byObject.set(desc, id);
    }
    return id;
  }

  get(id: number): SpanDescriptor {
    return this.#descs[id]!;
  }

  stage(): StagedTable {
    const descs = this.#descs;
    return {
      name: 'mm_span_descs',
      columns: [
        { name: 'idx', type: 'INTEGER', values: Int32Array.from(descs, (_, i) => i) },
        { name: 'name', type: 'VARCHAR', values: descs.map((d) => d.name) },
        { name: 'target', type: 'VARCHAR', values: descs.map((d) => d.target) },
        { name: 'filename', type: 'VARCHAR', values: descs.map((d) => d.filename) },
        { name: 'line', type: 'UINTEGER', values: Uint32Array.from(descs, (d) => d.line) },
        { name: 'hash', type: 'UINTEGER', values: Uint32Array.from(descs, spanHash) },
      ],
    };
  }
}
